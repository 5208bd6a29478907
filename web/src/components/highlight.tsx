// Match highlighting by splitting text into spans: log text is only ever a text node, never HTML.
import type { JSX } from 'preact';

/** The words and phrases a query searches the message for (not field filters, not negated terms, not operators). */
export function searchTerms(q: string): string[] {
  const filter = q.split('|')[0] ?? '';
  const terms: string[] = [];
  const re = /(-?)"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(filter); m; m = re.exec(filter)) {
    if (m[2] !== undefined) { if (!m[1]) terms.push(m[2].replace(/\\(["\\])/g, '$1')); continue; }
    let w = (m[3] ?? '').replace(/^[()]+|[()]+$/g, '');
    if (!w || w.startsWith('-') || ['AND', 'OR', 'NOT', '*'].includes(w)) continue;
    const field = /^([A-Za-z_][\w.-]*):(.*)$/.exec(w);
    if (field) { if (field[1] !== 'message') continue; w = (field[2] ?? '').replace(/^"|"$/g, ''); }
    w = w.replace(/^\*+|\*+$/g, '');
    if (w) terms.push(w);
  }
  return terms.filter((t) => t.length > 0);
}

/** `text` with every case-insensitive occurrence of a term wrapped in <mark>. */
export function Highlight({ text, terms }: { text: string; terms: string[] }): JSX.Element {
  if (terms.length === 0 || !text) return <>{text}</>;
  const lower = text.toLowerCase();
  const lowTerms = terms.map((t) => t.toLowerCase());
  const parts: JSX.Element[] = [];
  let i = 0, plain = 0;
  while (i < text.length) {
    let hit = 0;
    for (const t of lowTerms) if (t.length > hit && lower.startsWith(t, i)) hit = t.length;
    if (hit === 0) { i++; continue; }
    if (i > plain) parts.push(<>{text.slice(plain, i)}</>);
    parts.push(<mark>{text.slice(i, i + hit)}</mark>);
    i += hit;
    plain = i;
  }
  if (plain < text.length) parts.push(<>{text.slice(plain)}</>);
  return <>{parts}</>;
}

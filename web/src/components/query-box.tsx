// The query box: completion of fields, services and values at the cursor, and the language's syntax at hand.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { query, quote } from '../api';

export const COLUMNS = ['service', 'level', 'message', 'host', 'user_id', 'ip_address', 'trace_id', 'span_id', 'source', 'template', 'id', '_time', 'since', 'until', 'received_at', 'lsn'];
const LEVEL_VALUES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', '>=warn', '>=error'];
const PIPES = ['stats count() by (service)', 'histogram 5m by level', 'top 10 ip_address', 'patterns', 'sort by timestamp desc', 'limit 100', 'fields timestamp, service, message', 'anomalies'];

export interface Suggestion { text: string; insert: string; kind: string }

export interface CompletionSource { services: string[]; metadataKeys: string[]; range: { start: string; end: string } }

const valueCache = new Map<string, string[]>();

/** The token ending at the cursor, and where it starts. */
function tokenAt(text: string, cursor: number): { token: string; start: number } {
  let i = cursor;
  let inQuote = false;
  for (let j = 0; j < cursor; j++) if (text[j] === '"' && text[j - 1] !== '\\') inQuote = !inQuote;
  while (i > 0) {
    const c = text[i - 1] as string;
    if (!inQuote && (c === ' ' || c === '(' || c === '|')) break;
    if (c === '"' && inQuote && text[i - 2] === ':') { /* inside field:"... */ }
    i--;
  }
  return { token: text.slice(i, cursor), start: i };
}

async function valuesFor(field: string, src: CompletionSource): Promise<string[]> {
  if (field === 'level') return LEVEL_VALUES;
  if (field === 'service') return src.services;
  const key = `${field}|${src.range.start.slice(0, 13)}`;
  const hit = valueCache.get(key);
  if (hit) return hit;
  try {
    const r = await query(`${field}:* | top 15 ${field}`, { start: src.range.start, end: src.range.end });
    const vals = r.rows.map((row) => String(row[field] ?? Object.values(row)[0] ?? '')).filter(Boolean);
    valueCache.set(key, vals);
    return vals;
  } catch { return []; }
}

export async function suggest(text: string, cursor: number, src: CompletionSource): Promise<{ items: Suggestion[]; start: number }> {
  const before = text.slice(0, cursor);
  const { token, start } = tokenAt(text, cursor);
  if (/\|\s*[a-z]*$/.test(before)) {
    const partial = /\|\s*([a-z]*)$/.exec(before)?.[1] ?? '';
    const s = before.length - partial.length;
    return { start: s, items: PIPES.filter((p) => p.startsWith(partial)).map((p) => ({ text: p, insert: p, kind: 'pipe' })) };
  }
  const neg = token.startsWith('-') ? '-' : '';
  const t = token.slice(neg.length);
  const fv = /^([A-Za-z_][\w.-]*):(.*)$/.exec(t);
  if (fv) {
    const field = fv[1] as string, partial = (fv[2] ?? '').replace(/^"/, '').toLowerCase();
    const vals = await valuesFor(field, src);
    const items = vals.filter((v) => v.toLowerCase().startsWith(partial) || (partial.length > 1 && v.toLowerCase().includes(partial))).slice(0, 12)
      .map((v) => ({ text: `${field}:${v}`, insert: `${neg}${field}:${/^[>=<]/.test(v) || /^[\w.-]+$/.test(v) ? v : quote(v)} `, kind: field === 'service' ? 'service' : 'value' }));
    return { start, items };
  }
  if (t.length === 0) return { start, items: [] };
  const fields = [...COLUMNS, ...src.metadataKeys.filter((k) => !COLUMNS.includes(k))];
  const items: Suggestion[] = fields.filter((f) => f.startsWith(t.toLowerCase()) && f !== t).slice(0, 10).map((f) => ({ text: `${f}:`, insert: `${neg}${f}:`, kind: 'field' }));
  return { start, items };
}

export function QueryBox({ value, onChange, onSubmit, source, onFocus }: { value: string; onChange: (v: string) => void; onSubmit: (v: string) => void; source: CompletionSource; onFocus?: () => void }): JSX.Element {
  const input = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [start, setStart] = useState(0);
  const [active, setActive] = useState(0);
  const [help, setHelp] = useState(false);
  const seq = useRef(0);

  // "/" anywhere outside a text field focuses the query box.
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key === '/' && !e.ctrlKey && !e.metaKey && !(t && /INPUT|TEXTAREA|SELECT/.test(t.tagName))) { e.preventDefault(); input.current?.focus(); }
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, []);

  const update = async (text: string, cursor: number) => {
    const n = ++seq.current;
    const r = await suggest(text, cursor, source);
    if (n !== seq.current) return;
    setItems(r.items); setStart(r.start); setActive(0);
  };

  // Services arrive after the box is first focused: offer them for what is already typed.
  useEffect(() => {
    const el = input.current;
    if (el && document.activeElement === el && el.value) void update(el.value, el.selectionStart ?? el.value.length);
  }, [source.services.length]);

  const accept = (s: Suggestion) => {
    const el = input.current;
    const cursor = el?.selectionStart ?? value.length;
    const next = value.slice(0, start) + s.insert + value.slice(cursor).replace(/^\S*/, '');
    onChange(next);
    setItems([]);
    const pos = start + s.insert.length;
    requestAnimationFrame(() => { el?.focus(); el?.setSelectionRange(pos, pos); if (s.insert.endsWith(':')) void update(next, pos); });
  };

  const onKey = (e: KeyboardEvent) => {
    if (items.length > 0) {
      if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => (a + 1) % items.length); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => (a - 1 + items.length) % items.length); return; }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.ctrlKey)) { const s = items[active]; if (s && e.key === 'Tab') { e.preventDefault(); accept(s); return; } }
      if (e.key === 'Escape') { e.preventDefault(); setItems([]); return; }
    }
    if (e.key === 'Enter') { e.preventDefault(); setItems([]); onSubmit(value); }
  };

  return (
    <div class="query-box">
      <div class="query-input-wrap">
        <label class="sr-only" for="q">Query</label>
        <input id="q" ref={input} class="query-input" type="text" value={value} spellcheck={false} autocomplete="off"
          placeholder='search: timeout service:api level:>=warn "connection reset" (press / to focus)'
          role="combobox" aria-expanded={items.length > 0} aria-controls="q-suggest" aria-autocomplete="list"
          aria-activedescendant={items.length > 0 ? `q-s-${active}` : undefined}
          onInput={(e) => { const el = e.currentTarget; onChange(el.value); void update(el.value, el.selectionStart ?? el.value.length); }}
          onKeyDown={onKey} onFocus={onFocus} onBlur={() => setTimeout(() => setItems([]), 150)} />
        {items.length > 0 ? (
          <ul id="q-suggest" class="suggest" role="listbox" aria-label="completions">
            {items.map((s, i) => (
              <li id={`q-s-${i}`} role="option" aria-selected={i === active} class={i === active ? 'active' : ''}
                onMouseDown={(e) => { e.preventDefault(); accept(s); }}>
                <span class={`kind kind-${s.kind}`}>{s.kind}</span>{s.text}
              </li>
            ))}
            <li class="suggest-hint muted" aria-hidden="true">Tab to complete · ↑↓ to choose · Esc to close</li>
          </ul>
        ) : null}
      </div>
      <button type="button" class="btn primary" onClick={() => onSubmit(value)}>Search</button>
      <button type="button" class="btn ghost" aria-expanded={help} aria-controls="syntax-help" onClick={() => setHelp(!help)} title="query syntax">?</button>
      {help ? <SyntaxHelp onPick={(q) => { onChange(q); onSubmit(q); setHelp(false); }} /> : null}
    </div>
  );
}

const EXAMPLES: [string, string][] = [
  ['timeout', 'messages containing "timeout", any case'],
  ['"connection reset by peer"', 'an exact phrase'],
  ['service:api level:>=warn', 'warnings and errors of one service'],
  ['service:api* -service:api-gateway', 'prefix and negation'],
  ['metadata.status:>=500 duration_ms:>250', 'metadata fields, numeric comparisons'],
  ['(service:api OR service:web) NOT level:debug', 'grouping'],
  ['user_id:*', 'records that have a field'],
  ['level:error | stats count() by (service)', 'aggregate (shown as a table)'],
  ['service:sshd | patterns', 'group by log template'],
];

function SyntaxHelp({ onPick }: { onPick: (q: string) => void }): JSX.Element {
  return (
    <div id="syntax-help" class="syntax-help card" role="region" aria-label="query syntax">
      <p>Words match the message (any case); <code>field:value</code> filters with no space after the colon; <code>AND</code>, <code>OR</code>, <code>NOT</code>/<code>-</code>, parentheses; pipes after <code>|</code>. The time picker sets the range.</p>
      <table class="examples">
        <tbody>{EXAMPLES.map(([q, what]) => <tr><td><button type="button" class="link code" onClick={() => onPick(q)}>{q}</button></td><td class="muted">{what}</td></tr>)}</tbody>
      </table>
    </div>
  );
}

// Parses a Loki stream's label set in Prometheus syntax ({app="api", level="warn"}) strictly: names, `=` only,
// double-quoted (Go escapes) or backquoted values, no duplicates.

export class LabelSyntaxError extends Error {}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** The labels as an ordered list of [name, value]; throws LabelSyntaxError naming the position of the first fault. */
export function parseLabels(text: string): [string, string][] {
  let i = 0;
  const fail = (what: string): never => { throw new LabelSyntaxError(`cannot parse labels ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text)}: ${what} at offset ${i}`); };
  const ws = () => { while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++; };
  const out: [string, string][] = [];
  const seen = new Set<string>();
  ws();
  if (text[i] !== '{') fail('expected "{"');
  i++;
  ws();
  if (text[i] === '}') { i++; ws(); if (i !== text.length) fail('unexpected text after "}"'); return out; }
  for (;;) {
    const start = i;
    if (!NAME_START.test(text[i] ?? '')) fail('expected a label name');
    while (i < text.length && NAME_CHAR.test(text[i] ?? '')) i++;
    const name = text.slice(start, i);
    ws();
    if (text[i] !== '=') fail(`expected "=" after label ${name}`);
    i++;
    if (text[i] === '~') fail('only "=" is allowed in a stream\'s labels');
    ws();
    const value = readValue();
    if (seen.has(name)) fail(`duplicate label name ${name}`);
    seen.add(name);
    out.push([name, value]);
    ws();
    if (text[i] === ',') { i++; ws(); if (text[i] === '}') { i++; break; } continue; }
    if (text[i] === '}') { i++; break; }
    fail('expected "," or "}"');
  }
  ws();
  if (i !== text.length) fail('unexpected text after "}"');
  return out;

  function readValue(): string {
    const q = text[i];
    if (q === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) fail('unterminated `value`');
      const v = text.slice(i + 1, end);
      i = end + 1;
      return v;
    }
    if (q !== '"') fail('expected a quoted value');
    i++;
    let v = '';
    for (;;) {
      if (i >= text.length) fail('unterminated "value"');
      const c = text[i] ?? '';
      if (c === '"') { i++; return v; }
      if (c === '\n') fail('newline in a quoted value');
      if (c !== '\\') { v += c; i++; continue; }
      const e = text[i + 1] ?? '';
      if (e in SIMPLE_ESCAPES) { v += SIMPLE_ESCAPES[e]; i += 2; continue; }
      const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (hexLen > 0) {
        const h = text.slice(i + 2, i + 2 + hexLen);
        if (h.length !== hexLen || !/^[0-9A-Fa-f]+$/.test(h)) fail(`bad \\${e} escape`);
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(`bad \\${e} escape (not a Unicode code point)`);
        v += String.fromCodePoint(cp);
        i += 2 + hexLen;
        continue;
      }
      if (e >= '0' && e <= '7') {
        const o = text.slice(i + 1, i + 4);
        if (!/^[0-7]{3}$/.test(o) || parseInt(o, 8) > 255) fail('bad octal escape');
        v += String.fromCharCode(parseInt(o, 8));
        i += 4;
        continue;
      }
      fail(`unknown escape \\${e}`);
    }
  }
}

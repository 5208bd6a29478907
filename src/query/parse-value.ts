// The value syntax after `field:`: exact, `prefix*`, `*`, `>=n`, `[a, b)` ranges and `in(a, b)` lists.
import { Cursor, describe, fail } from './cursor.js';
import type { ComparisonOp, Token } from './lexer.js';

export interface ValueText {
  text: string;
  pos: number;
  quoted: boolean;
}

/** The value as written; parse-field.ts decides what it means for the field. */
export type FieldValue =
  | { kind: 'exact'; value: ValueText }
  | { kind: 'prefix'; value: ValueText }
  | { kind: 'exists'; pos: number }
  | { kind: 'compare'; op: ComparisonOp; value: ValueText }
  | { kind: 'range'; pos: number; lower: ValueText; upper: ValueText; lowerInclusive: boolean; upperInclusive: boolean }
  | { kind: 'list'; pos: number; items: ValueText[] };

/** Reads the value that must follow `field` directly (no space: `service: api` is a mistake worth reporting). */
export function readFieldValue(cursor: Cursor, field: Token): FieldValue {
  const token = cursor.peek();
  const valueKinds = ['word', 'string', 'op', 'lparen', 'lbracket'];
  if (token.pos !== field.end || !valueKinds.includes(token.kind)) {
    fail(`expected a value right after "${field.text}:"; to search for the text itself, quote it: "${field.text}:"`, field.end);
  }
  cursor.next();
  if (token.kind === 'op') {
    return { kind: 'compare', op: token.text as ComparisonOp, value: readPlain(cursor, `a value after "${token.text}"`) };
  }
  if (token.kind === 'lparen' || token.kind === 'lbracket') return readRange(cursor, token);
  if (token.kind === 'word' && token.text === 'in' && cursor.peek().kind === 'lparen' && cursor.peek().pos === token.end) {
    return readList(cursor);
  }
  if (token.kind === 'string') {
    // `"web 1"*` is a prefix that contains a space.
    const star = cursor.peek();
    const prefix = star.kind === 'word' && star.text === '*' && star.pos === token.end;
    if (prefix) cursor.next();
    return { kind: prefix ? 'prefix' : 'exact', value: { text: token.text, pos: token.pos, quoted: true } };
  }
  if (token.text === '*') return { kind: 'exists', pos: token.pos };
  const star = token.text.indexOf('*');
  if (star >= 0 && star < token.text.length - 1) {
    fail('"*" is only supported at the end of a value (a prefix); quote the value to match a literal "*"', token.pos + star);
  }
  const text = star >= 0 ? token.text.slice(0, -1) : token.text;
  return { kind: star >= 0 ? 'prefix' : 'exact', value: { text, pos: token.pos, quoted: false } };
}

function readPlain(cursor: Cursor, what: string): ValueText {
  const token = cursor.peek();
  if (token.kind !== 'word' && token.kind !== 'string') fail(`expected ${what}, found ${describe(token)}`, token.pos);
  cursor.next();
  if (token.kind === 'word' && token.text.includes('*')) {
    fail('"*" is not supported here; quote the value to match a literal "*"', token.pos + token.text.indexOf('*'));
  }
  return { text: token.text, pos: token.pos, quoted: token.kind === 'string' };
}

/** `[a, b]`, `[a, b)`, `(a, b]` or `(a, b)`: a square bracket includes the bound, a parenthesis excludes it. */
function readRange(cursor: Cursor, open: Token): FieldValue {
  const lower = readPlain(cursor, 'the lower bound of a range like [a, b)');
  const comma = cursor.peek();
  if (comma.kind !== 'comma') {
    const hint = open.kind === 'lparen' ? '; to match one of several values use field:in(a, b)' : '';
    fail(`expected "," between the bounds of a range like [a, b), found ${describe(comma)}${hint}`, comma.pos);
  }
  cursor.next();
  const upper = readPlain(cursor, 'the upper bound of a range like [a, b)');
  const close = cursor.peek();
  if (close.kind !== 'rbracket' && close.kind !== 'rparen') {
    fail(`expected "]" or ")" to close the range opened at character ${open.pos + 1}, found ${describe(close)}`, close.pos);
  }
  cursor.next();
  return {
    kind: 'range', pos: open.pos, lower, upper,
    lowerInclusive: open.kind === 'lbracket', upperInclusive: close.kind === 'rbracket',
  };
}

function readList(cursor: Cursor): FieldValue {
  const open = cursor.next();
  const items = [readPlain(cursor, 'a value in the list')];
  while (cursor.peek().kind === 'comma') {
    cursor.next();
    items.push(readPlain(cursor, 'a value after ","'));
  }
  const close = cursor.peek();
  if (close.kind !== 'rparen') fail(`expected "," or ")" to close "in(" opened at character ${open.pos - 1}, found ${describe(close)}`, close.pos);
  cursor.next();
  return { kind: 'list', pos: open.pos - 2, items };
}

/** Where a value starts, for error messages. */
export function valuePos(value: FieldValue): number {
  return value.kind === 'exact' || value.kind === 'prefix' || value.kind === 'compare' ? value.value.pos : value.pos;
}

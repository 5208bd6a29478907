// Splits query text into tokens; the few context rules (field values, value lists, pipes) live here, not in the parser.
import { QueryError } from '../errors.js';

export type TokenKind =
  | 'word' | 'string' | 'field' | 'op'
  | 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'comma' | 'pipe' | 'minus' | 'eof';

/** `text` is the word, the decoded string, the field name (without `:`) or the operator; `end` is exclusive. */
export interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
  end: number;
}

export type ComparisonOp = '>=' | '<=' | '>' | '<' | '=';

const FIELD_PREFIX = /[A-Za-z_][A-Za-z0-9_.-]*:/y;
const OP = /(>=|<=|>|<|=)/y;
const SPACE = /\s/;

/**
 * Tokenizes a whole query. Modes: `filter` (the search), `list` (inside `field:[...]`, `field:(...)` or `field:in(...)`,
 * where `,` and `]` are delimiters) and `pipe` (after the first `|`, where `,` is a delimiter and `-`/`:` are plain).
 */
export function tokenize(text: string): Token[] {
  return new Lexer(text).run();
}

class Lexer {
  private pos = 0;
  private mode: 'filter' | 'list' | 'pipe' = 'filter';
  /** What came right before: after `field:` a value follows, after an operator only a plain value. */
  private after: 'field' | 'op' | 'other' = 'other';
  private readonly tokens: Token[] = [];

  constructor(private readonly text: string) {}

  run(): Token[] {
    for (;;) {
      const start = this.pos;
      while (this.pos < this.text.length && SPACE.test(this.text[this.pos] ?? '')) this.pos++;
      if (this.pos > start) this.after = 'other';
      if (this.pos >= this.text.length) {
        this.push('eof', '', this.pos);
        return this.tokens;
      }
      const after = this.after;
      this.after = 'other';
      this.next(after);
    }
  }

  private next(after: 'field' | 'op' | 'other'): void {
    const c = this.text[this.pos] ?? '';
    if (c === '"') return this.readString();
    if (c === '|') return this.punct('pipe', 'pipe');
    if (c === ')' || (c === ']' && this.mode === 'list')) {
      return this.punct(c === ')' ? 'rparen' : 'rbracket', this.mode === 'list' ? 'filter' : this.mode);
    }
    if (c === ',' && this.mode !== 'filter') return this.punct('comma', this.mode);
    if (after === 'field' && this.mode === 'filter') {
      if (c === '(' || c === '[') return this.punct(c === '(' ? 'lparen' : 'lbracket', 'list');
      if (this.text.startsWith('in(', this.pos)) {
        this.push('word', 'in', this.pos + 2);
        return this.punct('lparen', 'list');
      }
      OP.lastIndex = this.pos;
      const op = OP.exec(this.text);
      if (op !== null) {
        this.push('op', op[0], this.pos + op[0].length);
        this.after = 'op';
        return;
      }
    }
    if (c === '(') return this.punct('lparen', this.mode);
    if (this.mode === 'filter' && after === 'other') {
      const next = this.text[this.pos + 1];
      if (c === '-' && next !== undefined && !SPACE.test(next)) return this.punct('minus', 'filter');
      FIELD_PREFIX.lastIndex = this.pos;
      const field = FIELD_PREFIX.exec(this.text);
      if (field !== null) {
        this.push('field', field[0].slice(0, -1), this.pos + field[0].length);
        this.after = 'field';
        return;
      }
    }
    this.readWord();
  }

  private punct(kind: TokenKind, mode: Lexer['mode']): void {
    this.push(kind, this.text[this.pos] ?? '', this.pos + 1);
    this.mode = mode;
  }

  private push(kind: TokenKind, text: string, end: number): void {
    this.tokens.push({ kind, text, pos: this.pos, end });
    this.pos = end;
  }

  private readWord(): void {
    let end = this.pos;
    while (end < this.text.length && !this.isDelimiter(this.text[end] ?? '')) end++;
    this.push('word', this.text.slice(this.pos, end), end);
  }

  private isDelimiter(c: string): boolean {
    if (SPACE.test(c) || c === '(' || c === ')' || c === '|' || c === '"') return true;
    if (this.mode === 'filter') return false;
    return c === ',' || (this.mode === 'list' && c === ']');
  }

  /** Reads `"..."`; `\"` and `\\` are escapes, any other backslash is kept as written (Windows paths, regexes). */
  private readString(): void {
    let value = '';
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const c = this.text[i];
      if (c === '"') {
        this.push('string', value, i + 1);
        return;
      }
      const next = this.text[i + 1];
      if (c === '\\' && (next === '"' || next === '\\')) {
        value += next;
        i++;
      } else {
        value += c;
      }
    }
    throw new QueryError(`expected '"' to close the quoted string opened at character ${this.pos + 1}`, this.text.length);
  }
}

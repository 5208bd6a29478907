// The filter grammar (OR < AND < NOT < term) and the query entry point; field values and pipes have their own files.
import { bug } from '../errors.js';
import type { Filter, Pipe, Query } from './ast.js';
import { Cursor, describe, fail } from './cursor.js';
import { tokenize, type Token } from './lexer.js';
import { parseFieldFilter } from './parse-field.js';
import { parsePipe } from './parse-pipe.js';

/**
 * Parses a query: `filter | pipe | pipe ...`. An empty filter (or `*`) matches every record.
 * Throws QueryError with the 0-based position of the problem.
 */
export function parseQuery(text: string): Query {
  const cursor = new Cursor(tokenize(text));
  const first = cursor.peek();
  const filter = first.kind === 'eof' || first.kind === 'pipe' ? { kind: 'all' as const } : new FilterParser(cursor).parse();
  const pipes: Pipe[] = [];
  while (cursor.peek().kind === 'pipe') {
    cursor.next();
    pipes.push(parsePipe(cursor));
  }
  const rest = cursor.peek();
  if (rest.kind === 'eof') return { filter, pipes };
  if (pipes.length > 0) fail(`expected "|" or the end of the query after the ${pipes[pipes.length - 1]?.kind} pipe, found ${describe(rest)}`, rest.pos);
  return fail(rest.kind === 'rparen' ? 'unexpected ")": there is no "(" to close' : `expected a filter, found ${describe(rest)}`, rest.pos);
}

/** Deepest nesting of parentheses and NOT/- a query may have: parsing and compiling recurse once per level. */
export const MAX_QUERY_NESTING = 64;

class FilterParser {
  /** How many "(" are open, to tell a stray ")" from an empty group. */
  private depth = 0;
  /** Open parentheses plus pending NOTs: bounded by MAX_QUERY_NESTING. */
  private nesting = 0;

  private enter(pos: number): void {
    if (++this.nesting > MAX_QUERY_NESTING) fail(`the query nests deeper than ${MAX_QUERY_NESTING} levels of parentheses and NOT`, pos);
  }

  constructor(private readonly cursor: Cursor) {}

  parse(): Filter {
    return this.parseOr();
  }

  private parseOr(): Filter {
    const items = [this.parseAnd()];
    while (this.cursor.atWord('OR')) {
      this.cursor.next();
      items.push(this.parseAnd());
    }
    return items.length === 1 ? (items[0] ?? bug('empty filter list')) : { kind: 'or', items };
  }

  private parseAnd(): Filter {
    const items = [this.parseUnary()];
    for (;;) {
      if (this.cursor.atWord('AND')) this.cursor.next();
      else if (!startsTerm(this.cursor.peek())) break;
      items.push(this.parseUnary());
    }
    return items.length === 1 ? (items[0] ?? bug('empty filter list')) : { kind: 'and', items };
  }

  private parseUnary(): Filter {
    if (this.cursor.atWord('NOT') || this.cursor.peek().kind === 'minus') {
      this.enter(this.cursor.next().pos);
      const item = this.parseUnary();
      this.nesting--;
      return { kind: 'not', item };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Filter {
    const token = this.cursor.peek();
    if (!startsTerm(token)) fail(this.unexpected(token), token.pos);
    this.cursor.next();
    switch (token.kind) {
      case 'lparen':
        return this.parseGroup(token);
      case 'string':
        return { kind: 'text', text: token.text };
      case 'field':
        return parseFieldFilter(this.cursor, token);
      default:
        return parseWord(token);
    }
  }

  private parseGroup(open: Token): Filter {
    this.enter(open.pos);
    this.depth++;
    const inner = this.parseOr();
    const close = this.cursor.peek();
    if (close.kind !== 'rparen') {
      fail(`expected ")" to close "(" opened at character ${open.pos + 1}, found ${describe(close)}`, close.pos);
    }
    this.cursor.next();
    this.depth--;
    this.nesting--;
    return inner;
  }

  private unexpected(token: Token): string {
    if (token.kind === 'eof') return 'expected a filter, found the end of the query';
    if (token.kind === 'rparen' && this.depth === 0) return 'unexpected ")": there is no "(" to close';
    if (token.kind === 'word' && (token.text === 'AND' || token.text === 'OR')) return `expected a filter before and after ${token.text}`;
    return `expected a filter, found ${describe(token)}`;
  }
}

/** A bare word searches the message; `*` alone matches everything and `*` at either end is redundant. */
function parseWord(token: Token): Filter {
  if (token.text === '*') return { kind: 'all' };
  const leading = /^\**/.exec(token.text)?.[0].length ?? 0;
  const text = token.text.replace(/^\*+|\*+$/g, '');
  const star = text.indexOf('*');
  if (star >= 0) fail('"*" inside a word is not supported; quote the word to search for a literal "*"', token.pos + leading + star);
  return { kind: 'text', text };
}

function startsTerm(token: Token): boolean {
  if (token.kind === 'word') return token.text !== 'AND' && token.text !== 'OR';
  return token.kind === 'string' || token.kind === 'field' || token.kind === 'lparen' || token.kind === 'minus';
}

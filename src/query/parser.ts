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
  const filter = first.kind === 'eof' || first.kind === 'pipe' ? { kind: 'all' as const } : parseOr(cursor);
  const pipes: Pipe[] = [];
  while (cursor.peek().kind === 'pipe') {
    cursor.next();
    pipes.push(parsePipe(cursor));
  }
  const rest = cursor.peek();
  if (rest.kind !== 'eof') fail(unexpected(rest), rest.pos);
  return { filter, pipes };
}

function parseOr(cursor: Cursor): Filter {
  const items = [parseAnd(cursor)];
  while (cursor.atWord('OR')) {
    cursor.next();
    items.push(parseAnd(cursor));
  }
  return items.length === 1 ? (items[0] ?? bug('empty filter list')) : { kind: 'or', items };
}

function parseAnd(cursor: Cursor): Filter {
  const items = [parseUnary(cursor)];
  for (;;) {
    if (cursor.atWord('AND')) cursor.next();
    else if (!startsTerm(cursor.peek())) break;
    items.push(parseUnary(cursor));
  }
  return items.length === 1 ? (items[0] ?? bug('empty filter list')) : { kind: 'and', items };
}

function parseUnary(cursor: Cursor): Filter {
  if (cursor.atWord('NOT') || cursor.peek().kind === 'minus') {
    cursor.next();
    return { kind: 'not', item: parseUnary(cursor) };
  }
  return parsePrimary(cursor);
}

function parsePrimary(cursor: Cursor): Filter {
  const token = cursor.peek();
  if (!startsTerm(token)) fail(unexpected(token), token.pos);
  cursor.next();
  switch (token.kind) {
    case 'lparen': {
      const inner = parseOr(cursor);
      const close = cursor.peek();
      if (close.kind !== 'rparen') {
        fail(`expected ")" to close "(" opened at character ${token.pos + 1}, found ${describe(close)}`, close.pos);
      }
      cursor.next();
      return inner;
    }
    case 'string':
      return { kind: 'text', text: token.text };
    case 'field':
      return parseFieldFilter(cursor, token);
    default:
      return parseWord(token);
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

function unexpected(token: Token): string {
  if (token.kind === 'eof') return 'expected a filter, found the end of the query';
  if (token.kind === 'rparen') return 'unexpected ")": there is no "(" to close';
  if (token.kind === 'word' && (token.text === 'AND' || token.text === 'OR')) return `expected a filter before and after ${token.text}`;
  return `expected a filter, found ${describe(token)}`;
}

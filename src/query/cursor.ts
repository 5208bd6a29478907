// A read position over the token list, with the error helpers every parser file shares.
import { bug, QueryError } from '../errors.js';
import type { Token, TokenKind } from './lexer.js';

export class Cursor {
  private index = 0;

  /** `tokens` must end with an `eof` token, as tokenize() guarantees. */
  constructor(private readonly tokens: readonly Token[]) {}

  peek(offset = 0): Token {
    const last = this.tokens[this.tokens.length - 1];
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] ?? last ?? bug('token list without eof');
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  /** True when the next token is the word `text` (case-sensitive, so `AND` is a keyword and `and` a search word). */
  atWord(text: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text === text;
  }

  /** Consumes the next token if it has `kind`; otherwise fails with "expected <what>, found <token>". */
  expect(kind: TokenKind, what: string): Token {
    const token = this.peek();
    if (token.kind !== kind) fail(`expected ${what}, found ${describe(token)}`, token.pos);
    return this.next();
  }
}

export function fail(message: string, pos: number): never {
  throw new QueryError(message, pos);
}

export function describe(token: Token): string {
  switch (token.kind) {
    case 'eof': return 'the end of the query';
    case 'string': return `the quoted text ${JSON.stringify(token.text)}`;
    case 'field': return `"${token.text}:"`;
    case 'word': return `"${token.text}"`;
    default: return `"${token.text}"`;
  }
}

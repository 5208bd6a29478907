// Alertmanager-style label matchers (`name="v"`, `!=`, `=~`, `!~`): parsed and compiled once, then evaluated on label sets.
import { ConfigError, ValidationError, errorMessage } from '../errors.js';
import type { Labels } from './model.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

/** The structured form Alertmanager's API uses; `isEqual` defaults to true. */
export interface MatcherSpec {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

/** Longest regex a matcher may carry: label values are short, and long patterns are where backtracking hurts. */
export const maxRegexChars = 1000;

const labelNameRe = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A label's value as matchers see it: a missing label is the empty string (Alertmanager's rule). */
export function labelValue(labels: Labels, name: string): string {
  return Object.hasOwn(labels, name) ? (labels[name] ?? '') : '';
}

export function isLabelName(name: string): boolean {
  return labelNameRe.test(name);
}

/** One compiled matcher. Instances are immutable; a regex is compiled once, anchored at both ends. */
export class Matcher {
  private constructor(
    readonly name: string,
    readonly type: MatchType,
    readonly value: string,
    private readonly re: RegExp | undefined,
  ) {}

  /** Builds a matcher; it must throw ValidationError (naming the problem) for an empty name or a bad regex. */
  static create(type: MatchType, name: string, value: string): Matcher {
    const fail = (reason: string): never => {
      throw new ValidationError(`cannot build matcher ${name}${type}${JSON.stringify(value)}`, [reason]);
    };
    if (name === '') fail('the label name is empty');
    if (type === '=' || type === '!=') return new Matcher(name, type, value, undefined);
    if (value.length > maxRegexChars) fail(`the regex is ${value.length} characters long; the limit is ${maxRegexChars}`);
    let source = value;
    let flags = '';
    // Go's RE2 takes inline flags; JavaScript (Node 20) does not, so the one common case, a leading (?i), becomes a flag.
    if (source.startsWith('(?i)')) {
      source = source.slice(4);
      flags = 'i';
    }
    if (/\(\?[a-zA-Z-]+[):]/.test(source)) fail('inline flag groups such as (?s) are not supported; only a leading (?i) is');
    let re: RegExp | undefined;
    try {
      re = new RegExp(`^(?:${source})$`, flags);
    } catch (err) {
      fail(`invalid regex: ${errorMessage(err)}`);
    }
    return new Matcher(name, type, value, re);
  }

  /** True when the label (missing = empty string) satisfies this matcher. */
  matches(labels: Labels): boolean {
    return this.matchesValue(labelValue(labels, this.name));
  }

  matchesValue(v: string): boolean {
    switch (this.type) {
      case '=': return v === this.value;
      case '!=': return v !== this.value;
      case '=~': return this.re!.test(v);
      case '!~': return !this.re!.test(v);
    }
  }

  /** `name="value"` with `\`, `"` and newlines escaped; parseMatcher reads it back. */
  toString(): string {
    const name = isLabelName(this.name) ? this.name : quote(this.name);
    return `${name}${this.type}${quote(this.value)}`;
  }

  toSpec(): MatcherSpec {
    return { name: this.name, value: this.value, isRegex: this.type === '=~' || this.type === '!~', isEqual: this.type === '=' || this.type === '=~' };
  }
}

function quote(s: string): string {
  return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

/** True when every matcher matches (an empty list matches everything). */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const m of matchers) if (!m.matches(labels)) return false;
  return true;
}

/** A matcher from the structured API form `{name, value, isRegex, isEqual?}`; throws ValidationError naming the problem. */
export function matcherFromSpec(spec: unknown): Matcher {
  const s = spec as Partial<MatcherSpec> | null;
  if (typeof s !== 'object' || s === null) throw new ValidationError('cannot build matcher', ['expected an object {name, value, isRegex, isEqual?}']);
  const problems: string[] = [];
  if (typeof s.name !== 'string' || s.name === '') problems.push('name must be a non-empty string');
  if (typeof s.value !== 'string') problems.push('value must be a string');
  if (typeof s.isRegex !== 'boolean') problems.push('isRegex must be true or false');
  if (s.isEqual !== undefined && typeof s.isEqual !== 'boolean') problems.push('isEqual must be true or false when given');
  if (problems.length > 0) throw new ValidationError('cannot build matcher', problems);
  const eq = s.isEqual ?? true;
  const type: MatchType = s.isRegex ? (eq ? '=~' : '!~') : eq ? '=' : '!=';
  return Matcher.create(type, s.name!, s.value!);
}

/** A small cursor over matcher text; every failure names what was expected and where. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  fail(reason: string): never {
    throw new ValidationError(`cannot parse matcher ${JSON.stringify(this.text)}`, [`${reason} (at character ${this.pos + 1})`]);
  }
  /** A double-quoted string: `\"`, `\\` and `\n` are escapes; any other backslash is kept (so `"\d+"` stays `\d+`). */
  quoted(what: string): string {
    let out = '';
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\' && this.pos + 1 < this.text.length) {
        const n = this.text[this.pos + 1]!;
        out += n === 'n' ? '\n' : n === '"' || n === '\\' ? n : `\\${n}`;
        this.pos += 2;
        continue;
      }
      out += c;
      this.pos++;
    }
    return this.fail(`the quoted ${what} has no closing "`);
  }
  name(): string {
    if (this.text[this.pos] === '"') return this.quoted('label name');
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a label name (letters, digits and _, not starting with a digit, or a quoted name)');
    this.pos += m[0].length;
    return m[0];
  }
  op(name: string): MatchType {
    for (const op of ['=~', '!~', '!=', '='] as const) {
      if (this.text.startsWith(op, this.pos)) {
        this.pos += op.length;
        return op;
      }
    }
    return this.fail(`expected an operator (=, !=, =~ or !~) after the label name "${name}"`);
  }
  /** A quoted value, or unquoted text up to `stop` (end of text for a single matcher; `,` or `}` in a list). */
  value(stop: RegExp): string {
    if (this.text[this.pos] === '"') return this.quoted('value');
    const start = this.pos;
    while (this.pos < this.text.length && !stop.test(this.text[this.pos]!)) this.pos++;
    const v = this.text.slice(start, this.pos).trim();
    if (v.includes('"')) this.fail('an unquoted value must not contain "; quote the whole value');
    return v;
  }
  matcher(stop: RegExp): Matcher {
    this.skipSpace();
    const name = this.name();
    this.skipSpace();
    const type = this.op(name);
    this.skipSpace();
    const value = this.value(stop);
    try {
      return Matcher.create(type, name, value);
    } catch (err) {
      return this.fail(err instanceof ValidationError ? err.errors.join('; ') : errorMessage(err));
    }
  }
}

/** Parses one matcher such as `service="api"` or `severity=~"low|medium"`; throws ValidationError saying what is wrong. */
export function parseMatcher(text: string): Matcher {
  const s = new Scanner(text);
  const m = s.matcher(/$^/);
  s.skipSpace();
  if (s.pos < text.length) s.fail('unexpected text after the value; quote values that contain spaces or quotes');
  return m;
}

/** Parses a list such as `{service="api", severity!="low"}` (braces optional, commas between matchers). */
export function parseMatchers(text: string): Matcher[] {
  const s = new Scanner(text);
  s.skipSpace();
  const braced = text[s.pos] === '{';
  if (braced) s.pos++;
  const out: Matcher[] = [];
  for (;;) {
    s.skipSpace();
    if (s.pos >= text.length || (braced && text[s.pos] === '}')) break;
    out.push(s.matcher(/[,}]/));
    s.skipSpace();
    if (text[s.pos] === ',') s.pos++;
    else if (s.pos < text.length && !(braced && text[s.pos] === '}')) s.fail('expected , between matchers');
  }
  if (braced) {
    if (text[s.pos] !== '}') s.fail('expected } to close the list');
    s.pos++;
    s.skipSpace();
    if (s.pos < text.length) s.fail('unexpected text after }');
  }
  return out;
}

/** Config form: a list of matcher strings; an error is a ConfigError naming the entry, e.g. `alerting.route.matchers[0]`. */
export function parseMatcherList(value: unknown, key: string): Matcher[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(key, 'must be a list of matcher strings such as service="api"');
  return value.map((entry, i) => {
    if (typeof entry !== 'string') throw new ConfigError(`${key}[${i}]`, 'must be a matcher string such as service="api"');
    try {
      return parseMatcher(entry);
    } catch (err) {
      throw new ConfigError(`${key}[${i}]`, errorMessage(err), { cause: err });
    }
  });
}

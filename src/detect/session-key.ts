// Which session a record belongs to (a block id, a request or trace id ...), from the `detect.sessions` config.
import { ConfigError, errorMessage } from '../errors.js';

export interface SessionKeyConfig {
  /** A regular expression: its first match in the record's text is the key (its first capture group if it has one). */
  keyRegex: string | null;
  /** A record field (`trace_id`, `user_id`, `host` ...) or a metadata path (`metadata.request_id`) holding the key. */
  keyField: string | null;
  /** A regular expression that marks the last record of a session (its session ends right after it). */
  endPattern: string | null;
}

/** A record as the extractor reads it: its message and fields; `raw`, the raw line, is searched for the key when given (a replay). */
export interface KeyedRecord { message: string; raw?: string }

/** The key and whether this record ends its session; key '' when the record belongs to no session. */
export type SessionKeyOf = (r: KeyedRecord) => { key: string; end: boolean };

/** Keys longer than this are cut (a key is state held per open session). */
export const MAX_SESSION_KEY_CHARS = 256;

const compile = (key: string, source: string): RegExp => {
  let re: RegExp;
  try { re = new RegExp(source); } catch (err) { throw new ConfigError(key, `is not a valid regular expression: ${errorMessage(err)}`, { cause: err }); }
  if (re.exec('')?.[0] === '' && key.endsWith('keyRegex')) throw new ConfigError(key, 'can match empty text; it must match at least one character of the key');
  return re;
};

const FIELD = /^(trace_id|span_id|user_id|ip_address|host|service|source|metadata(\.[^.\s]+)+)$/;

/**
 * Builds the extractor, or undefined when no key is configured (session detection off). Throws ConfigError naming
 * the key for an invalid regex or field. `keyRegex` and `keyField` are exclusive.
 */
export function sessionKeyExtractor(c: SessionKeyConfig, prefix = 'detect.sessions'): SessionKeyOf | undefined {
  if (c.keyRegex !== null && c.keyField !== null) throw new ConfigError(`${prefix}.keyField`, 'set either keyRegex or keyField, not both');
  const end = c.endPattern === null ? undefined : compile(`${prefix}.endPattern`, c.endPattern);
  const isEnd = (m: string) => end !== undefined && end.test(m);
  if (c.keyRegex !== null) {
    const re = compile(`${prefix}.keyRegex`, c.keyRegex);
    return (r) => {
      const m = re.exec(r.raw ?? r.message);
      if (!m) return { key: '', end: false };
      const key = (m[1] ?? m[0]).slice(0, MAX_SESSION_KEY_CHARS);
      return { key, end: key !== '' && isEnd(r.message) };
    };
  }
  if (c.keyField !== null) {
    if (!FIELD.test(c.keyField)) throw new ConfigError(`${prefix}.keyField`, `"${c.keyField}" is not a record field; use trace_id, span_id, user_id, ip_address, host, service, source or metadata.<path>`);
    const path = c.keyField.split('.');
    return (r) => {
      let v: unknown = r as unknown;
      for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
      const key = typeof v === 'string' ? v.slice(0, MAX_SESSION_KEY_CHARS) : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
      return { key, end: key !== '' && isEnd(r.message) };
    };
  }
  return undefined;
}

// Token-level template logic: does a template token cover a message token, and the least general token covering two.
import { WILDCARD } from './mask.js';

/** True when `tok` is an instance of the template token `t` (equal, or matching its literal pieces around each <*>). */
export function covers(t: string, tok: string): boolean {
  if (t === tok || t === WILDCARD) return true;
  const at = t.indexOf(WILDCARD);
  if (at < 0) return false;
  const pieces = t.split(WILDCARD);
  const first = pieces[0] as string;
  const last = pieces[pieces.length - 1] as string;
  if (tok.length < first.length + last.length || !tok.startsWith(first) || !tok.endsWith(last)) return false;
  let pos = first.length;
  const end = tok.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const p = pieces[i] as string;
    const found = tok.indexOf(p, pos);
    if (found < 0 || found + p.length > end) return false;
    pos = found + p.length;
  }
  return true;
}

// A variable part starts after a key or an opening mark (user=, sessionid:, (, [, ') and ends before a closing one.
const OPEN = new Set([...'=:([{\'"']);
const CLOSE = new Set([...')]}\'",;:.!?([{']);

/**
 * The least general token covering both `a` (a template token, possibly with <*>) and `b` (a message token):
 * the common prefix up to a key or opening mark and the common suffix from a closing mark are kept
 * (`user=root` + `user=admin` -> `user=<*>`, `[10]` + `[preauth]` -> `[<*>]`); otherwise the whole token is <*>.
 */
export function generalize(a: string, b: string): string {
  if (covers(a, b)) return a;
  if (a === WILDCARD || b === WILDCARD) return WILDCARD;
  let p = 0;
  const max = Math.min(a.length, b.length);
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  while (p > 0 && !OPEN.has(a[p - 1] as string)) p--;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  while (s > 0 && !CLOSE.has(a[a.length - s] as string)) s--;
  const prefix = a.slice(0, p);
  const suffix = a.slice(a.length - s);
  if (prefix.length === 0 && suffix.length === 0) return WILDCARD;
  const t = `${prefix}${WILDCARD}${suffix}`.replaceAll('<*><*>', WILDCARD);
  // By construction `t` covers both; the check guards the prefix/suffix split against overlapping wildcards.
  return covers(t, b) ? t : WILDCARD;
}

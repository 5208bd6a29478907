// Masking: turns the parts of a message token that are certainly variable (numbers, addresses, ids, paths, URLs) into <*>.
/** The variable marker in templates. */
export const WILDCARD = '<*>';

/** A user rule: every match of `pattern` in a message becomes <*> or `replacement` (applied before the built-in rules). */
export interface MaskRule { name: string; pattern: RegExp; replacement?: string }

// Lookarounds stand in for \b: `_` and letters glued to digits (blk_123, ssh2) are not a boundary here.
const B = '(?<![A-Za-z0-9_])';
const E = '(?![A-Za-z0-9_])';

/**
 * The built-in rules, in the order they apply. Each is general (no rule names a product or a log format): they
 * recognize the shapes that are variables in any software's logs.
 */
export const builtinMaskRules: readonly MaskRule[] = [
  // scheme://anything, keeping the scheme (spark://<*>, hdfs://<*>) and closing punctuation.
  // The scheme has a left boundary and a bounded length: without them a long run of letters is retried at every
  // position (quadratic time on a hostile 64 KiB token).
  { name: 'url', pattern: /(?<![A-Za-z0-9+.-])(?<scheme>[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/)[^\s'"\])}>,;]+/g, replacement: '$<scheme><*>' },
  // An absolute path at the start of a token or after = : ' " ( [ (file=/var/x, '/tmp/y').
  { name: 'path', pattern: /(?<=^|[\s=:'"([,])(?:~?\/(?![/<])[^\s'"\])}>,;:]*[^\s'"\])}>,;:.]|[A-Za-z]:\\[^\s'"\])}>,;]*)/g },
  { name: 'uuid', pattern: new RegExp(`${B}[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}${E}`, 'g') },
  { name: 'mac', pattern: new RegExp(`${B}[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}${E}`, 'g') },
  // IPv6 with at least three groups and one `::` or seven colons (so times like 12:30:45 are not taken).
  { name: 'ipv6', pattern: /(?<![A-Za-z0-9_:.])(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}(?![A-Za-z0-9_:])|(?<![A-Za-z0-9_:.])(?=[0-9a-fA-F:]*::)(?:[0-9a-fA-F]{1,4}:{1,2}){2,7}[0-9a-fA-F]{1,4}(?![A-Za-z0-9_:])/g },
  // Host names: three or more labels ending in a common top-level domain (msra-sa-39.corp.example.com), so that
  // dotted names in code (org.apache.Foo, mapred.job.id) are not taken.
  { name: 'hostname', pattern: /(?<![A-Za-z0-9_.@-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.){2,}(?:com|net|org|edu|gov|mil|int|io|local|localdomain|internal|lan|arpa|corp|[a-z]{2})(?![A-Za-z0-9_-]|\.[A-Za-z0-9])/g },
  // A leading slash glued to an address (/10.0.0.1:50010, as Java's InetSocketAddress prints) is part of it.
  { name: 'ipv4', pattern: /(?<![A-Za-z0-9_.])\/?\d{1,3}(?:\.\d{1,3}){3}(?![A-Za-z0-9_]|\.\d)/g },
  { name: 'datetime', pattern: new RegExp(`${B}\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?${E}`, 'g') },
  { name: 'time', pattern: new RegExp(`${B}\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?${E}`, 'g') },
  { name: 'hex', pattern: new RegExp(`${B}(?:0[xX][0-9a-fA-F]+|(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,})${E}`, 'g') },
  // Identifier segments with ID_MIN_DIGITS or more digits (blk_-123456, attempt_1445_0020_m_000003, R02-M1-N0).
  { name: 'id', pattern: /(?<![A-Za-z0-9_<*-])(?=(?:[A-Za-z_-]*\d){3})[A-Za-z0-9_-]+(?![A-Za-z0-9_*>-])/g },
  // Numbers, signed, with decimals, grouping and a short unit (12ms, 3.5GB, 80%): a number glued to letters
  // before it (ssh2, E12) is not taken here.
  { name: 'number', pattern: new RegExp(`${B}[-+]?\\d+(?:[.,]\\d+)*(?:[a-zA-Z%]{1,3})?${E}`, 'g') },
];


/** The built-in rules as one alternation, so a message is masked in a single scan (leftmost match, rule order on ties). */
function combine(rules: readonly MaskRule[]): RegExp {
  return new RegExp(rules.map((r) => `(?:${r.pattern.source})`).join('|'), 'g');
}
const builtin = combine(builtinMaskRules);
const replaceBuiltin = (...args: unknown[]): string => {
  const groups = args[args.length - 1] as { scheme?: string } | undefined;
  return groups?.scheme ? `${groups.scheme}${WILDCARD}` : WILDCARD;
};

/**
 * A segment of a token (between structural marks such as = : / , ( ) [ ] ' ") that masking left partly variable is
 * wholly variable when what is left of it still holds a digit, more than one variable, or a word glued to it
 * (v1.<*>, dquot_6.<*>, <*>-<*>.example.net, host-<*>); a word and a dot before one variable stay (core.<*>).
 */
function collapse(tok: string): string {
  return tok.replace(/[^=:/,()[\]{}'"#@;|]+/g, (seg) => {
    if (seg === WILDCARD || !seg.includes(WILDCARD)) return seg;
    const rest = seg.replaceAll(WILDCARD, '');
    // Glued to a word by - or _ or a letter (mesos-slave-<*>, broadcast_<*>, <*>abc) the variable is the whole segment.
    return /\d/.test(rest) || seg.length - rest.length > WILDCARD.length || /[A-Za-z0-9_-]<\*>|<\*>[A-Za-z0-9_-]/.test(seg) ? WILDCARD : seg;
  }).replaceAll('<*><*>', WILDCARD);
}

/** A token longer than this is data (a blob, an encoded payload, a joined tail), never a word of a template. */
export const MAX_TOKEN_CHARS = 256;

/**
 * Masks one whitespace-free token. The common shapes are decided without a regex (most tokens are words, and most
 * variables are plain numbers): a token with no digit, slash or backslash stays; one made only of digits and
 * . , + - is a number or an address; one over MAX_TOKEN_CHARS is a variable; the rest goes through the rules.
 */
export function maskToken(tok: string): string {
  if (tok.length > MAX_TOKEN_CHARS) return WILDCARD;
  let digits = 0, numeric = 0, slash = false;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 || c === 44 || c === 43 || c === 45) numeric++;
    else if (c === 47 || c === 92) { slash = true; break; }
  }
  if (digits === 0 && !slash) return tok;
  if (!slash && digits + numeric === tok.length && digits > 0) {
    // 42, -1, 3.14, 10.0.0.1, 1,024 (a trailing , or . is punctuation, not part of the number)
    const last = tok.charCodeAt(tok.length - 1);
    return last === 44 || last === 46 ? `${WILDCARD}${tok[tok.length - 1]}` : WILDCARD;
  }
  const t = tok.replace(builtin, replaceBuiltin);
  return t.includes(WILDCARD) ? collapse(t) : t;
}

/**
 * A double-quoted string (with backslash escapes, up to 512 characters): in log messages nearly always an
 * interpolated value (query="phone case", slow query "kids bike", Unknown command "frob"). Single quotes are not
 * taken: they are apostrophes as often as quotes (Can't find ..., service 'sparkDriver' is a name).
 */
const QUOTED = /"(?:[^"\\\n]|\\.){0,512}"/g;

/** Whitespace other than a plain space (tab, newline, no-break space ...). */
const OTHER_SPACE = /[^\S ]/;

/** Splits a message into whitespace-separated tokens (any run of Unicode whitespace separates). */
export function tokenize(message: string): string[] {
  if (message.length === 0) return [];
  // Most messages separate words by single spaces: String.split(' ') is several times faster than a regex split.
  if (!OTHER_SPACE.test(message)) {
    const parts = message.split(' ');
    return message.includes('  ') || message.charCodeAt(0) === 32 || message.charCodeAt(message.length - 1) === 32 ? parts.filter((p) => p !== '') : parts;
  }
  const out = message.split(/\s+/);
  if (out.length > 0 && out[0] === '') out.shift();
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * The tokens the miner reads: user rules (`patterns.maskRules`) apply to the whole message first, so a rule may span
 * spaces; then a double-quoted string becomes one variable, spaces and all.
 */
export function messageTokens(message: string, rules: readonly MaskRule[] = []): string[] {
  let t = message;
  for (const r of rules) t = t.replace(r.pattern, r.replacement ?? WILDCARD);
  return tokenize(t.includes('"') ? t.replace(QUOTED, '"<*>"') : t);
}

/**
 * Masks and tokenizes a message, capped at `maxTokens` (the rest joins the last token, so nothing is dropped).
 * `key` is the masked tokens joined by one space: equal keys are equal masked messages.
 */
export function maskMessage(message: string, rules: readonly MaskRule[] = [], maxTokens = 256): { masked: string[]; key: string } {
  let masked = messageTokens(message, rules);
  if (masked.length > maxTokens) masked = [...masked.slice(0, maxTokens - 1), masked.slice(maxTokens - 1).join(' ')];
  for (let i = 0; i < masked.length; i++) masked[i] = maskToken(masked[i] as string);
  return { masked, key: masked.join(' ') };
}

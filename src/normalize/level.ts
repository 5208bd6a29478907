// Maps level names, syslog severities and bunyan/pino numbers to the six record levels, and spots level words in text.
import type { Level } from '../model/log-record.js';

/** Every accepted level name (matched case-insensitively), by the level it maps to. */
export const levelAliases: Readonly<Record<Level, readonly string[]>> = {
  TRACE: ['trace', 'trc', 'finest', 'finer', 'verbose', 'vrb'],
  DEBUG: ['debug', 'dbg', 'fine', 'd'],
  INFO: ['info', 'inf', 'information', 'informational', 'notice', 'i', 'n'],
  WARN: ['warn', 'warning', 'wrn', 'w'],
  ERROR: ['error', 'err', 'e', 'severe', 'failure'],
  FATAL: ['fatal', 'ftl', 'crit', 'critical', 'emerg', 'emergency', 'panic', 'alert', 'f'],
};

/** Syslog severities 0 (emerg) .. 7 (debug). */
const SYSLOG_SEVERITY: readonly Level[] = ['FATAL', 'FATAL', 'FATAL', 'ERROR', 'WARN', 'INFO', 'INFO', 'DEBUG'];
/** Bunyan / pino numeric levels. */
const BUNYAN: ReadonlyMap<number, Level> = new Map([[10, 'TRACE'], [20, 'DEBUG'], [30, 'INFO'], [40, 'WARN'], [50, 'ERROR'], [60, 'FATAL']]);

const byName = new Map<string, Level>();
/** Level words that may stand in a plain-text line header (no single letters; lower/Capitalized only for common ones). */
const headerWords = new Map<string, Level>();
const HEADER_ANY_CASE = new Set(['trace', 'debug', 'info', 'notice', 'warn', 'warning', 'error', 'fatal', 'critical', 'severe']);

for (const [level, names] of Object.entries(levelAliases) as [Level, readonly string[]][]) {
  for (const name of names) {
    const upper = name.toUpperCase();
    byName.set(name, level);
    byName.set(upper, level);
    byName.set(upper.charAt(0) + name.slice(1), level);
    if (name.length >= 3) headerWords.set(upper, level);
    if (HEADER_ANY_CASE.has(name)) {
      headerWords.set(name, level);
      headerWords.set(upper.charAt(0) + name.slice(1), level);
    }
  }
}

/** The level of a syslog severity 0..7. */
export function syslogSeverityLevel(severity: number): Level {
  return SYSLOG_SEVERITY[severity & 7] ?? 'INFO';
}

function numericLevel(n: number): Level | null {
  if (Number.isInteger(n) && n >= 0 && n <= 7) return SYSLOG_SEVERITY[n] ?? null;
  return BUNYAN.get(n) ?? null;
}

/**
 * Normalizes a level value: names and aliases case-insensitively, syslog severities 0..7 and bunyan/pino
 * 10..60 as numbers or digit strings. Returns null for anything else (the caller keeps INFO and level_raw).
 */
export function normalizeLevel(value: unknown): Level | null {
  if (typeof value === 'string') {
    const hit = byName.get(value);
    if (hit) return hit;
    const s = value.trim();
    if (s.length === 0 || s.length > 16) return null;
    const c = s.charCodeAt(0);
    if (c >= 48 && c <= 57) return /^\d{1,2}$/.test(s) ? numericLevel(Number(s)) : null;
    return byName.get(s.toLowerCase()) ?? null;
  }
  if (typeof value === 'number') return numericLevel(value);
  return null;
}

/** The level of a word standing in a line header (`INFO`, `Warning`, `error` ...), or null. */
export function headerLevel(word: string): Level | null {
  return headerWords.get(word) ?? null;
}

const UPPER_WORD = /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|FATAL|CRIT|CRITICAL|ALERT|EMERG|PANIC)\b/;
const BRACKETED = /[[<](trace|debug|info|notice|warn|warning|error|err|severe|fatal|crit|critical|alert|emerg|panic)[\]>]/i;
const LEADING = /^(trace|debug|info|notice|warn|warning|error|fatal|critical|panic)\s*:/i;

/**
 * Infers a level from free text that has no level field: a leading `error:`-style word, else the first
 * upper-case level word (`ERROR`, `WARN` ...) or bracketed level (`[error]`, `<warn>`). Null when none.
 */
export function inferLevel(text: string): Level | null {
  const m = LEADING.exec(text) ?? UPPER_WORD.exec(text) ?? BRACKETED.exec(text);
  return m ? normalizeLevel(m[1]) : null;
}

// Normalize options: limits, the default zone and service; defaults and a checker for the composition root.
import { ConfigError } from '../errors.js';
import { resolveZone } from './timezone.js';

export interface NormalizeOptions {
  /** Largest accepted line in UTF-8 bytes; longer lines are rejected with line_too_long. */
  maxLineBytes: number;
  /** Most keys a record may have, counted over all nested objects; more is too_many_fields. */
  maxFields: number;
  /** Deepest accepted nesting (the top-level object is depth 1); deeper is too_deep. */
  maxDepth: number;
  /** Zone for timestamps that name none: 'UTC', a fixed offset like '+02:00', or an IANA name like 'Europe/Berlin'. */
  defaultTimezone: string;
  /** Service when the input names none; null rejects such records with missing_service. */
  defaultService: string | null;
}

export const defaultNormalizeOptions: Readonly<NormalizeOptions> = Object.freeze({
  maxLineBytes: 65536,
  maxFields: 200,
  maxDepth: 8,
  defaultTimezone: 'UTC',
  defaultService: 'unknown',
});

export interface NormalizeContext {
  /** When the input reached logsift: the timestamp of records without one, and the reference for year-less dates. */
  receivedAt: Date;
  /** Per-request default service; overrides options.defaultService. */
  service?: string;
}

function positiveInt(key: keyof NormalizeOptions, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(`normalize.${key}`, `must be a positive integer, got ${String(v)}`);
}

/**
 * Checks options once at startup so that bad values fail as ConfigError there, not on the first line.
 * It must be called by whoever builds options from configuration; the normalize functions trust their options.
 */
export function checkNormalizeOptions(opts: NormalizeOptions): NormalizeOptions {
  positiveInt('maxLineBytes', opts.maxLineBytes);
  positiveInt('maxFields', opts.maxFields);
  positiveInt('maxDepth', opts.maxDepth);
  resolveZone(opts.defaultTimezone);
  const s = opts.defaultService;
  if (s !== null && (typeof s !== 'string' || s.length === 0 || s.length > 256)) {
    throw new ConfigError('normalize.defaultService', 'must be null or a string of 1..256 characters');
  }
  return opts;
}

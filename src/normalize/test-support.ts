// Shared fixtures for the normalize unit tests (not a test itself): a fixed clock, options and assertions.
import assert from 'node:assert/strict';
import type { LogRecordInput } from '../model/log-record.js';
import type { MapContext } from './field-map.js';
import { normalizeLine } from './normalize.js';
import { defaultNormalizeOptions, type NormalizeOptions } from './options.js';
import type { Draft, LineFormat, Parsed, Rejection } from './result.js';
import { resolveZone } from './timezone.js';

export const receivedAt = new Date('2024-06-01T00:00:00Z');
export const mc: MapContext = { zone: resolveZone('UTC'), receivedAt };
export const opts: NormalizeOptions = { ...defaultNormalizeOptions };

export function ok(r: Parsed | null): Draft {
  assert.ok(r !== null, 'the parser must accept the line');
  assert.ok(r.ok, r.ok ? '' : `rejected ${r.reason}: ${r.message}`);
  return r;
}

export function rejected(r: Parsed | null): Rejection {
  assert.ok(r !== null && !r.ok, 'the parser must reject the line');
  return r;
}

/** normalizeLine with the fixed clock; asserts success and returns the record and format. */
export function line(text: string, o: Partial<NormalizeOptions> = {}, service?: string): { record: LogRecordInput; format: LineFormat } {
  const r = normalizeLine(text, service === undefined ? { receivedAt } : { receivedAt, service }, { ...opts, ...o });
  assert.ok(r.ok, r.ok ? '' : `rejected ${r.reason}: ${r.message}`);
  return r;
}

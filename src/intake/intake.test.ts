import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Intake } from './intake.js';
import { schemaValidators } from '../model/schemas.js';
import { defaultNormalizeOptions } from '../normalize/index.js';

const receivedAt = new Date('2026-06-01T12:00:00Z');
const ctx = { receivedAt, source: 'test' };
const line = (ts: string) => JSON.stringify({ timestamp: ts, service: 's', message: 'm' });

test('records outside the time window are dead letters with their reason; inside it they pass', () => {
  const intake = new Intake(defaultNormalizeOptions, schemaValidators().log, { maxAgeSeconds: 7 * 86_400, maxFutureSeconds: 3600 });
  const r = intake.lines(Buffer.from([line('2026-05-20T00:00:00Z'), line('2026-06-01T14:00:00Z'), line('2026-05-30T00:00:00Z'), line('2026-06-01T12:30:00Z')].join('\n')), ctx);
  assert.deepEqual(r.deadLetters.map((d) => d.reason), ['too_old', 'too_far_in_future']);
  assert.match(r.deadLetters[0]?.error ?? '', /store.retentionDays/);
  assert.equal(r.records.length, 2);
  const off = new Intake(defaultNormalizeOptions, schemaValidators().log);
  assert.equal(off.lines(Buffer.from(line('2005-06-03T15:42:50Z')), ctx).records.length, 1, 'no window: old archives import');
});

test('JSON body records over maxLineBytes and lone surrogates are dead letters; blank lines are counted', () => {
  const intake = new Intake({ ...defaultNormalizeOptions, maxLineBytes: 300 }, schemaValidators().log);
  const r = intake.objects([{ service: 's', message: 'x'.repeat(400) }, { service: 's', message: 'ok' }, { service: 's', message: 'bad \ud800' }], ctx);
  assert.deepEqual(r.deadLetters.map((d) => d.reason), ['line_too_long', 'invalid_utf8']);
  assert.equal(r.records.length, 1);
  assert.equal(r.jsons?.length, 1);
  const l = intake.lines(Buffer.from('\n\r\n{"service":"s","message":"a"}\n\n'), ctx);
  assert.deepEqual([l.records.length, l.skipped], [1, 3]);
});

test('huge window settings mean no bound, not a crash', () => {
  const intake = new Intake(defaultNormalizeOptions, schemaValidators().log, { maxAgeSeconds: 1e15, maxFutureSeconds: 1e15 });
  assert.equal(intake.lines(Buffer.from(line('1971-01-01T00:00:00Z') + '\n' + line('2262-01-01T00:00:00Z')), ctx).records.length, 2);
});

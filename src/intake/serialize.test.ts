import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeBatch, stampLsns } from './serialize.js';

test('stamped batches are valid NDJSON with increasing LSNs and ids', () => {
  const b = serializeBatch({
    records: [
      { timestamp: '2024-01-01T00:00:00Z', level: 'INFO', service: 'api', message: 'héllo "quoted" \u0001' },
      { timestamp: '2024-01-01T00:00:01Z', level: 'ERROR', service: 'api', message: '日本語', metadata: { a: [1, 2] } },
    ],
    deadLetters: [{ reason: 'invalid_utf8', error: 'bad', raw: Buffer.from([0xff, 0x41]) }],
    skipped: 3,
  }, 'http', new Date('2024-01-01T00:00:02Z'), 1024);
  assert.equal(stampLsns(b, 99_999_999_999), 100_000_000_001);
  const lines = b.buf.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => l.lsn), [99_999_999_999, 100_000_000_000, 100_000_000_001]);
  assert.deepEqual(lines.map((l) => l.id), [undefined, undefined, 'dl-00019xtf1tt'], 'records get their id in the store');
  assert.equal(lines[0]?.message, 'héllo "quoted" \u0001');
  assert.equal(lines[1]?.message, '日本語');
  assert.equal(lines[2]?.raw_b64, Buffer.from([0xff, 0x41]).toString('base64'));
  assert.deepEqual([b.accepted, b.rejected, b.skipped, b.reasons], [2, 1, 3, { invalid_utf8: 1 }]);
});

test('dead letters over the size bound are cut and say so', () => {
  const b = serializeBatch({ records: [], deadLetters: [{ reason: 'line_too_long', error: 'long', raw: Buffer.alloc(5000, 0x61) }], skipped: 0 }, 'http', new Date(), 1000);
  stampLsns(b, 1);
  const l = JSON.parse(b.buf.toString()) as { raw_b64: string; error: string };
  assert.equal(Buffer.from(l.raw_b64, 'base64').length, 1000);
  assert.match(l.error, /cut from 5000 to 1000 bytes/);
});

test('a batch grows its buffer past the size hint', () => {
  const records = Array.from({ length: 500 }, (_, i) => ({ timestamp: '2024-01-01T00:00:00Z', level: 'INFO' as const, service: 's', message: 'x'.repeat(i) }));
  const b = serializeBatch({ records, deadLetters: [], skipped: 0 }, 'http', new Date(), 1000, 10);
  stampLsns(b, 1);
  const lines = b.buf.toString().trimEnd().split('\n');
  assert.equal(lines.length, 500);
  assert.equal((JSON.parse(lines[499] ?? '') as { message: string }).message.length, 499);
});

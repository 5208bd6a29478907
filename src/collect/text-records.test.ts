import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJobRunner } from '../intake/jobs.js';
import { defaultNormalizeOptions } from '../normalize/index.js';
import { DecodeError } from './decoders.js';
import { decodeTextRecords, encodeTextRecords, TEXT_RECORDS } from './text-records.js';

const run = createJobRunner({ normalize: { ...defaultNormalizeOptions, maxLineBytes: 2000 }, maxDeadLetterBytes: 1 << 20, window: { maxAgeSeconds: 0, maxFutureSeconds: 0 } });
const job = (kind: string, body: Buffer) => run({ kind, body, receivedAtMs: Date.parse('2026-06-01T12:00:00Z'), source: 'file', service: 'app' });
const recordsOf = (o: ReturnType<typeof job>) => {
  assert.ok(o.ok);
  return o.batch;
};

test('frames round-trip, with the cut flag; a frame past the end is a DecodeError', () => {
  const recs = [{ bytes: Buffer.from('a\nb') }, { bytes: Buffer.alloc(0) }, { bytes: Buffer.from('héad'), cut: true }];
  const back = decodeTextRecords(encodeTextRecords(recs));
  assert.deepEqual(back.map((r) => [Buffer.from(r.bytes).toString(), r.cut ?? false]), [['a\nb', false], ['', false], ['héad', true]]);
  assert.throws(() => decodeTextRecords(Buffer.from([0, 0, 0, 9, 65])), DecodeError);
  assert.throws(() => decodeTextRecords(Buffer.from([0, 0])), DecodeError);
});

test('a single-line text record is stored exactly as the same line of a lines body', () => {
  const lines = [
    '{"timestamp":"2026-06-01T11:00:00Z","level":"warn","service":"api","message":"slow","trace_id":"abc","k":1}',
    '2026-06-01 11:00:01,5 ERROR [main] com.x.Y - boom',
    'level=info msg="hello" user=7',
    '<34>1 2026-06-01T11:00:02Z host app - - - syslog message',
  ];
  const a = recordsOf(job('lines', Buffer.from(lines.join('\n'))));
  const b = recordsOf(job(TEXT_RECORDS, encodeTextRecords(lines.map((l) => ({ bytes: Buffer.from(l) })))));
  assert.equal(a.accepted, 4);
  assert.equal(b.buf.toString(), a.buf.toString());
  assert.deepEqual(b.mine, a.mine);
});

test('a multi-line record keeps its newlines; the first line gives timestamp and level; bad records are dead letters', () => {
  const trace = '2026-06-01 11:00:00 ERROR boom\njava.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)';
  const out = recordsOf(job(TEXT_RECORDS, encodeTextRecords([
    { bytes: Buffer.from(trace) },
    { bytes: Buffer.from([0x66, 0xff, 0x0a, 0x67]) },
    { bytes: Buffer.from('x'.repeat(50)), cut: true },
    { bytes: Buffer.from('y'.repeat(3000)) },
    { bytes: Buffer.alloc(0) },
  ])));
  assert.equal(out.accepted, 1);
  const m = out.mine;
  assert.deepEqual([m.timestamps[0], m.levels[0], m.services[0], m.messages[0]], ['2026-06-01T11:00:00Z', 'ERROR', 'app', 'boom\njava.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)']);
  assert.deepEqual(out.reasons, { invalid_utf8: 1, line_too_long: 2 });
  assert.equal(out.skipped, 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Intake } from '../../intake/intake.js';
import { schemaValidators } from '../../model/schemas.js';
import { defaultNormalizeOptions } from '../../normalize/index.js';
import { decoderFor } from '../decoders.js';
import '../decoders-all.js';
import { encodeFrames } from './framing.js';

const ctx = { receivedAt: new Date('2024-06-01T00:00:00Z'), source: 'sl' };
const dctx = { normalize: { ...defaultNormalizeOptions }, receivedAt: new Date('2024-06-01T00:00:00Z') };
const intake = new Intake({ ...defaultNormalizeOptions }, schemaValidators().log);

test('each frame becomes the record a single-line send would store; a frame with line breaks stays one record', () => {
  const lines = [
    '<165>1 2024-05-31T22:14:15.003Z web1 api 42 ID47 [ex@32473 iut="3" k="a\\"b"] hello',
    '<34>May 31 22:14:15 web1 su[7]: failed for lonvick',
    'not syslog at all level=warn',
  ];
  const multi = '<11>1 2024-05-31T22:14:15Z web1 api - - - Traceback:\n  File "x.py"\nValueError';
  const d = decoderFor('syslog')!(encodeFrames([...lines, multi].map((s) => Buffer.from(s))), dctx);
  assert.ok('texts' in d);
  const r = intake.texts(d.texts, ctx);
  const one = intake.lines(Buffer.from(lines.join('\n')), ctx);
  assert.deepEqual(r.records.slice(0, 3), one.records);
  assert.equal(r.records.length, 4);
  assert.equal(r.records[3]?.message, 'Traceback:\n  File "x.py"\nValueError');
  assert.equal(r.records[3]?.level, 'ERROR');
});

test('a frame that is not UTF-8 is one dead letter with its index; blank frames are skipped', () => {
  const d = decoderFor('syslog')!(encodeFrames([Buffer.from('<13>1 - h a - - - ok'), Buffer.from([0x3c, 0x31, 0x33, 0x3e, 0xff, 0xfe]), Buffer.from('  ')]), dctx);
  assert.ok('texts' in d);
  const r = intake.texts(d.texts, ctx);
  assert.equal(r.records.length, 1);
  assert.equal(r.deadLetters[0]?.reason, 'invalid_utf8');
  assert.deepEqual([...(r.deadLetters[0]?.raw ?? [])], [0x3c, 0x31, 0x33, 0x3e, 0xff, 0xfe]);
  assert.deepEqual(r.itemErrors?.map((e) => e.index), [1]);
  assert.equal(r.skipped, 1);
});

test('a malformed batch body is a decode error (never written by the source)', () => {
  assert.throws(() => decoderFor('syslog')!(Buffer.from('99 short'), dctx), RangeError);
});

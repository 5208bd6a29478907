import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrames, encodeFrames, FrameSplitter, type Framing } from './framing.js';

function split(mode: Framing, input: string | Buffer, opts: { max?: number; chunk?: number; end?: boolean } = {}) {
  const frames: string[] = [];
  const skipped: [string, number][] = [];
  const s = new FrameSplitter(mode, opts.max ?? 1024, { frame: (f) => frames.push(f.toString('utf8')), skipped: (r, n) => skipped.push([r, n]) });
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input, 'utf8');
  const step = opts.chunk ?? buf.length;
  for (let i = 0; i < buf.length; i += step) s.push(buf.subarray(i, i + step));
  if (opts.end !== false) s.end();
  return { frames, skipped, s };
}

const m1 = '<13>1 - h a - - - one';
const m2 = '<13>1 - h a - - - two\nlines';
const oc = (m: string) => `${Buffer.byteLength(m)} ${m}`;

test('octet counting: frames may hold line breaks and arrive cut anywhere', () => {
  for (const chunk of [1, 2, 3, 7, 1000]) {
    const r = split('octet-counting', oc(m1) + oc(m2), { chunk });
    assert.deepEqual(r.frames, [m1, m2], `chunk ${chunk}`);
    assert.equal(r.s.octetFrames, 2);
  }
});

test('newline framing: LF, CRLF and NUL trailers; a last frame without one counts at the end', () => {
  const r = split('newline', `${m1}\r\n<13>x\0\n\n<14>last`, { chunk: 3 });
  assert.deepEqual(r.frames, [m1, '<13>x', '<14>last']);
  assert.deepEqual(r.skipped, []);
});

test('auto: per frame, octet counting when `LEN SP <` starts it, else a line', () => {
  const r = split('auto', `${oc(m2)}${m1}\n12 workers started\n2024-01-01 x\n${oc(m1)}\n`, { chunk: 5 });
  assert.deepEqual(r.frames, [m2, m1, '12 workers started', '2024-01-01 x', m1]);
  assert.equal(r.s.octetFrames, 2);
  assert.equal(r.s.trailerFrames, 3);
});

test('an octet-counted frame over maxMessageBytes is skipped whole and the stream stays in sync', () => {
  const big = `<13>1 - h a - - - ${'x'.repeat(200)}`;
  const r = split('auto', oc(m1) + oc(big) + oc(m2), { max: 100, chunk: 17 });
  assert.deepEqual(r.frames, [m1, m2]);
  assert.deepEqual(r.skipped, [['message_too_long', Buffer.byteLength(big)]]);
  assert.ok(r.s.bufferedBytes <= 100 + 17);
});

test('a line over maxMessageBytes is skipped up to its trailer, even when it arrives in pieces, and never buffered whole', () => {
  const big = `<13>${'y'.repeat(500)}`;
  let maxHeld = 0;
  const frames: string[] = [];
  const skipped: [string, number][] = [];
  const s = new FrameSplitter('newline', 100, { frame: (f) => frames.push(f.toString()), skipped: (r, n) => skipped.push([r, n]) });
  const buf = Buffer.from(`${m1}\n${big}\n${m1}\n`);
  for (let i = 0; i < buf.length; i += 30) { s.push(buf.subarray(i, i + 30)); maxHeld = Math.max(maxHeld, s.bufferedBytes); }
  s.end();
  assert.deepEqual(frames, [m1, m1]);
  assert.deepEqual(skipped, [['message_too_long', big.length]]);
  assert.ok(maxHeld <= 130, `held ${maxHeld}`);
});

test('octet-counting mode: a frame that is not `LEN SP` is a framing error; reading goes on after the next line break', () => {
  const r = split('octet-counting', `${oc(m1)}garbage here\n${oc(m2)}`);
  assert.deepEqual(r.frames, [m1, m2]);
  assert.deepEqual(r.skipped, [['framing_error', 'garbage here'.length]]);
});

test('a stream cut inside an octet-counted frame counts it as a framing error, not a record', () => {
  const r = split('auto', oc(m1) + oc(m2).slice(0, 10));
  assert.deepEqual(r.frames, [m1]);
  assert.deepEqual(r.skipped, [['framing_error', 10]]);
});

test('newline mode never reads octet counts', () => {
  const r = split('newline', `${oc(m1)}\n`);
  assert.deepEqual(r.frames, [oc(m1)]);
});

test('the decoder body round-trips frames, bytes as they are', () => {
  const frames = [Buffer.from(m1), Buffer.from(m2), Buffer.from([0xff, 0x41]), Buffer.from('é')];
  assert.deepEqual(decodeFrames(encodeFrames(frames)).map((b) => [...b]), frames.map((b) => [...b]));
  assert.throws(() => decodeFrames(Buffer.from('5 abc')), RangeError);
  assert.throws(() => decodeFrames(Buffer.from('x abc')), RangeError);
});

test('auto: a last line of digits without a trailer is a line, not a cut octet count', () => {
  assert.deepEqual(split('auto', '<13>a\n12345').frames, ['<13>a', '12345']);
  assert.deepEqual(split('octet-counting', '12345').skipped, [['framing_error', 5]]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, appendFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wal } from './wal.js';

const opts = { fsync: true, groupCommitMs: 1, segmentMaxBytes: 1024 * 1024 };
const line = (lsn: number) => `{"k":"r","lsn":${lsn},"message":"m${lsn}"}\n`;

test('concurrent appends share group commits and land in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wal-'));
  const { wal } = await Wal.open(dir, opts);
  await Promise.all(Array.from({ length: 200 }, (_, i) => wal.append(line(i + 1), i + 1)));
  assert.ok(wal.stats.fsyncs < 200, `group commit batched ${wal.stats.fsyncs} fsyncs for 200 appends`);
  const sealed = await wal.seal();
  assert.equal(sealed.length, 1);
  assert.equal(sealed[0]?.lastLsn, 200);
  const lsns = readFileSync(sealed[0]?.path ?? '', 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { lsn: number }).lsn);
  assert.deepEqual(lsns, Array.from({ length: 200 }, (_, i) => i + 1));
  await wal.close();
});

test('segments rotate at the size limit and a seal with nothing new returns nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wal-'));
  const { wal } = await Wal.open(dir, { ...opts, segmentMaxBytes: 1024 * 1024 });
  const big = 'x'.repeat(300 * 1024);
  for (let i = 1; i <= 8; i++) await wal.append(`{"k":"r","lsn":${i},"message":"${big}"}\n`, i);
  const sealed = await wal.seal();
  assert.ok(sealed.length >= 2, `rotated into ${sealed.length} segments`);
  assert.equal(sealed.at(-1)?.lastLsn, 8);
  assert.deepEqual(await wal.seal(), []);
  await wal.close();
});

test('recovery cuts a torn tail and hands back corrupt lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wal-'));
  const { wal } = await Wal.open(dir, opts);
  await wal.append(line(1) + line(2), 2);
  await wal.append('{"k":"r","lsn":3,"mess\u00e9 broken\n', 3);
  await wal.append(line(4), 4);
  const [seg] = await wal.seal();
  await wal.close();
  appendFileSync(seg?.path ?? '', '{"k":"r","lsn":5,"message":"torn'); // a write cut short by a crash
  const r = await Wal.open(dir, opts);
  assert.match(readFileSync(seg?.path ?? '', 'utf8'), /broken[^]*torn/, 'nothing is taken out before repair()');
  await r.repair();
  assert.equal(r.existing.length, 1);
  assert.equal(r.existing[0]?.lastLsn, 4);
  assert.equal(r.corrupt.length, 1);
  assert.match(r.corrupt[0]?.raw.toString('utf8') ?? '', /broken/);
  const kept = readFileSync(r.existing[0]?.path ?? '', 'utf8').trim().split('\n');
  assert.equal(kept.length, 3);
  // The reopened WAL writes to a new segment after the recovered ones.
  await r.wal.append(line(6), 6);
  const sealed = await r.wal.seal();
  assert.ok((sealed[0]?.seq ?? 0) > (r.existing[0]?.seq ?? 0));
  // recovered segment + the one just sealed + the new (empty) current segment
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.ndjson')).length, 3);
  await r.wal.close();
});

test('append after close is refused with a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wal-'));
  const { wal } = await Wal.open(dir, opts);
  await wal.close();
  await assert.rejects(wal.append(line(1), 1), /cannot append to the write-ahead log: it is closed/);
});

test('a write that fails and cannot be taken back stops the WAL: later appends are refused, never written after half a line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wal-'));
  const { wal } = await Wal.open(dir, opts);
  await wal.append(line(1), 1);
  // Pull the file out from under the WAL: the next write fails (EBADF) and so does the truncate that would undo it.
  await (wal as unknown as { fh: { close(): Promise<void> } }).fh.close();
  await assert.rejects(wal.append(line(2), 2), /cannot write the write-ahead log|EBADF/);
  assert.ok(wal.failure, 'the WAL is marked failed');
  await assert.rejects(wal.append(line(3), 3), /cannot take back a partial write-ahead-log write/);
  const seg = readdirSync(dir).find((n) => n.endsWith('.ndjson'));
  assert.equal(readFileSync(join(dir, seg ?? ''), 'utf8'), line(1), 'only the acknowledged line is in the segment');
});

test('a seal requested while the WAL is rotating still seals what was appended before it', async () => {
  for (let round = 0; round < 50; round++) { // bounded: 50 rounds
    const dir = mkdtempSync(join(tmpdir(), 'wal-'));
    const { wal } = await Wal.open(dir, { ...opts, groupCommitMs: 0 });
    await wal.append(line(1), 1);
    const first = wal.seal();
    await wal.append(line(2), 2);
    const second = wal.seal();
    const sealed = [...(await first), ...(await second)];
    const text = sealed.map((s) => readFileSync(s.path, 'utf8')).join('');
    assert.ok(text.includes('"lsn":2'), `round ${round}: the line appended before the second seal is sealed`);
    await wal.close();
  }
});

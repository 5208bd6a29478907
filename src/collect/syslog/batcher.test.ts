import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { SourceBatch, SourceContext, SourceIngestResult } from '../source.js';
import { Batcher } from './batcher.js';
import { decodeFrames } from './framing.js';

interface Fake { ctx: SourceContext; sent: string[][]; pending: (() => void)[]; reserved: number; overloaded: boolean; drops: Record<string, number> }

function fake(): Fake {
  const f: Fake = { sent: [], pending: [], reserved: 0, overloaded: false, drops: {}, ctx: undefined as unknown as SourceContext };
  f.ctx = {
    log: pino({ level: 'silent' }),
    ingest: (b: SourceBatch) => {
      assert.equal(b.format, 'syslog');
      f.sent.push(decodeFrames(b.body).map((x) => x.toString()));
      return new Promise<SourceIngestResult>((resolve) => f.pending.push(() => resolve({ accepted: 1, rejected: 0, skipped: 0, reasons: {}, itemErrors: [] })));
    },
    overloaded: () => (f.overloaded ? 'write_backlog' : undefined),
    retryAfterSeconds: 1,
    dropped: (r, n = 1) => { f.drops[r] = (f.drops[r] ?? 0) + n; },
    reserve: (n) => { f.reserved += n; return () => { f.reserved -= n; }; },
    limits: { maxBodyBytes: 16 << 20, maxDecompressedBytes: 64 << 20 },
    stateDir: '/nonexistent/logsift-test-state',
    now: () => new Date(),
    lastLsn: () => 0,
    storedAfter: () => Promise.resolve(false),
  };
  return f;
}

const opts = { batchLines: 3, batchBytes: 1 << 20, batchWaitMs: 20, maxBufferedBytes: 100, maxInflightBatches: 1 };
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

test('batches close at batchLines or after batchWaitMs, one in flight at a time, memory reserved until durable', async () => {
  const f = fake();
  let rooms = 0;
  const b = new Batcher(f.ctx, opts, () => rooms++);
  for (const m of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) b.add(Buffer.from(m));
  assert.deepEqual(f.sent, [['a', 'b', 'c']]); // the second full batch waits for the first
  assert.ok(f.reserved > 0);
  f.pending.shift()!();
  await tick();
  assert.deepEqual(f.sent, [['a', 'b', 'c'], ['d', 'e', 'f']]);
  f.pending.shift()!();
  await tick(40); // 'g' goes after batchWaitMs
  assert.deepEqual(f.sent.at(-1), ['g']);
  f.pending.shift()!();
  await b.drain();
  assert.equal(f.reserved, 0);
  assert.equal(b.bufferedBytes, 0);
  assert.ok(rooms > 0);
});

test('full at maxBufferedBytes: readers pause, UDP adds are refused, room is announced once it drains', async () => {
  const f = fake();
  let rooms = 0;
  const b = new Batcher(f.ctx, { ...opts, batchLines: 1000, batchWaitMs: 1000 }, () => rooms++);
  for (let i = 0; i < 9; i++) b.add(Buffer.from('x'.repeat(9))); // 11 bytes each with `9 `
  assert.equal(b.full, false);
  b.add(Buffer.from('x'.repeat(9)));
  assert.equal(b.full, true);
  assert.equal(b.tryAdd(Buffer.from('y')), false);
  const drained = b.drain();
  assert.equal(f.sent.length, 1);
  const before = rooms;
  f.pending.shift()!();
  await drained;
  assert.equal(b.full, false);
  assert.ok(rooms > before);
});

test('while the write path is behind, batches wait (stalled) and go once it catches up', async () => {
  const f = fake();
  f.overloaded = true;
  const b = new Batcher(f.ctx, opts, () => undefined);
  for (const m of ['a', 'b', 'c']) b.add(Buffer.from(m));
  assert.equal(f.sent.length, 0);
  assert.equal(b.stalled, true);
  assert.equal(b.full, true);
  await tick(80);
  assert.equal(f.sent.length, 0);
  f.overloaded = false;
  await tick(80);
  assert.deepEqual(f.sent, [['a', 'b', 'c']]);
  assert.equal(b.stalled, false);
  f.pending.shift()!();
  await b.drain();
});

test('a batch the write path fails to store is counted as dropped', async () => {
  const f = fake();
  f.ctx = { ...f.ctx, ingest: () => Promise.reject(new Error('wal failed')) };
  const b = new Batcher(f.ctx, opts, () => undefined);
  for (const m of ['a', 'b', 'c']) b.add(Buffer.from(m));
  await b.drain();
  assert.deepEqual(f.drops, { ingest_failed: 3 });
});

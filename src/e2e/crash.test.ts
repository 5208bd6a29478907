// kill -9 in the middle of ingest: after restart every acknowledged record is stored exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { post, getJson, startServer, tempDir } from './harness.js';

const BATCH = 200;

test('kill -9 during ingest loses no acknowledged record and stores none twice', { timeout: 120_000 }, async () => {
  const dataDir = join(tempDir('crash'), 'data');
  const config = { wal: { flushIntervalMs: 100, groupCommitMs: 2 } };
  let server = await startServer(dataDir, config);
  const t0 = Date.now() - 3_600_000;
  const acked = new Set<number>();
  const sent = new Set<number>();
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const b = next++;
      if (b >= 2000) break; // bounded: at most 2,000 batches
      const lines = Array.from({ length: BATCH }, (_, i) => JSON.stringify({ timestamp: new Date(t0 + b * BATCH + i).toISOString(), level: 'info', service: 'crash', message: `batch ${b} line ${i}`, batch: b, i }));
      sent.add(b);
      try {
        const r = await post(`${server.url}/api/v1/logs`, lines.join('\n'), { 'content-type': 'application/x-ndjson' });
        if (r.status === 200 && r.body.accepted === BATCH) acked.add(b);
      } catch { return; /* the server died under us: this batch is not acknowledged */ }
    }
  };
  const workers = [worker(), worker(), worker(), worker()];
  const deadline = Date.now() + 20_000;
  while (acked.size < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await server.kill9();
  stop = true;
  await Promise.all(workers);
  assert.ok(acked.size >= 40, `acknowledged ${acked.size} batches before the kill`);

  server = await startServer(dataDir, config);
  try {
    const q = encodeURIComponent('service:crash | stats count() by (batch)');
    const r = await getJson<{ rows: { batch: unknown; 'count()'?: unknown; count?: unknown }[] }>(`${server.url}/api/v1/query?q=${q}&limit=10000`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const counts = new Map<number, number>();
    for (const row of r.body.rows) {
      const n = Number(row['count()'] ?? row.count ?? Object.values(row).find((v, i) => i > 0));
      counts.set(Number(row.batch), n);
    }
    for (const b of acked) assert.equal(counts.get(b), BATCH, `acknowledged batch ${b} is stored exactly once, whole`);
    for (const [b, n] of counts) {
      assert.ok(sent.has(b), `batch ${b} was sent`);
      assert.equal(n, BATCH, `batch ${b} is whole (a batch is one WAL append) and not duplicated`);
    }
  } finally {
    await server.stop();
  }
});

test('a damaged WAL segment found at start: good lines are stored, the damaged one becomes a wal_corrupt dead letter', { timeout: 60_000 }, async () => {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const dataDir = join(tempDir('walcorrupt'), 'data');
  mkdirSync(join(dataDir, 'wal'), { recursive: true });
  const rec = (lsn: number, message: string) => JSON.stringify({ k: 'r', lsn, id: `x${lsn}`, timestamp: new Date().toISOString(), level: 'INFO', service: 'walc', message, received_at: new Date().toISOString(), source: 'http' });
  writeFileSync(join(dataDir, 'wal', 'seg-0000000001.ndjson'), `${rec(1, 'before')}\n{"k":"r","lsn":2,"mess\u0000\u0000garbage\n${rec(3, 'after')}\n{"k":"r","lsn":4,"message":"torn`);
  const server = await startServer(dataDir);
  try {
    const q = await getJson<{ rows: { message: string }[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent('service:walc')}`);
    assert.deepEqual(q.body.rows.map((r) => r.message).sort(), ['after', 'before']);
    const dl = await getJson<{ counts: Record<string, number>; entries: { raw_text: string; source: string }[] }>(`${server.url}/api/v1/dlq?reason=wal_corrupt`);
    assert.deepEqual(dl.body.counts, { wal_corrupt: 1 });
    assert.match(dl.body.entries[0]?.raw_text ?? '', /garbage/);
    assert.equal(dl.body.entries[0]?.source, 'wal_recovery');
  } finally {
    await server.stop();
  }
});

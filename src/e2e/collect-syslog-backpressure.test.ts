// Syslog backpressure end to end: while the write path is behind, TCP readers pause (the sender blocks, memory stays
// bounded) and every message arrives exactly once afterwards; UDP, which cannot pause, drops and counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { join } from 'node:path';
import { flush, getJson, post, startServer, tempDir } from './harness.js';
import { portOf, sourceRow } from './syslog-support.js';

const KiB = 1024;
// Loads never run on their own (no interval, no idle flush): the backlog grows until the test flushes.
const stuckWal = { flushIntervalMs: 3_600_000, idleFlushMs: 0, segmentMaxBytes: 1024 * KiB };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function count(url: string, q: string): Promise<number> {
  const r = await getJson<{ rows: Record<string, number>[] }>(`${url}/api/v1/query?q=${encodeURIComponent(q)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return Number(Object.values(r.body.rows[0] ?? {})[0] ?? 0);
}

test('TCP: a sender faster than the write path is paused, memory stays bounded, and every message arrives once', { timeout: 120_000 }, async () => {
  const maxBufferedBytes = 64 * KiB;
  const server = await startServer(join(tempDir('syslog-bp'), 'data'), {
    wal: stuckWal, server: { maxPendingBytes: 2 * 1024 * KiB },
    sources: [{ type: 'syslog', name: 'bp', protocol: 'tcp', port: 0, maxBufferedBytes, batchLines: 200 }],
  });
  try {
    const port = await portOf(server.url, 'bp');
    const N = 20_000;
    // ~20 MB: ten times the backlog bound, and more than loopback's kernel buffers (send and receive) hold
    const frames = Array.from({ length: N }, (_, i) => {
      const m = `<14>1 - web1 bp-svc - - - message ${String(i).padStart(6, '0')} ${'p'.repeat(1000)}`;
      return `${Buffer.byteLength(m)} ${m}`;
    });
    let written = 0;
    let blockedSince = 0;
    const sock = connect({ port, host: '127.0.0.1' });
    const done = new Promise<void>((resolve, reject) => {
      sock.on('error', reject);
      sock.on('connect', () => {
        const pump = () => {
          while (written < N) {
            const ok = sock.write(frames[written++]!);
            if (!ok) { blockedSince = Date.now(); sock.once('drain', pump); return; }
          }
          sock.end(() => resolve());
        };
        pump();
      });
    });
    // Bounded wait until the source has paused its reader because the write path is behind.
    let st: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      st = (await sourceRow(server.url, 'bp')).status ?? {};
      if (st.stalled === true && Number(st.paused_connections) === 1) break;
      await sleep(100);
    }
    assert.equal(st.stalled, true, JSON.stringify(st));
    assert.equal(st.paused_connections, 1, JSON.stringify(st));
    await sleep(500);
    const stuckAt = written;
    await sleep(500);
    assert.equal(written, stuckAt, 'the sender is blocked while the reader is paused');
    assert.ok(written < N && blockedSince > 0, `sender blocked after ${written} of ${N}`);
    // Bounded: the buffer cap plus at most one read chunk (64 KiB) of messages.
    assert.ok(Number(st.peak_buffered_bytes) <= maxBufferedBytes + 64 * KiB + 512, JSON.stringify(st));
    // The store catches up (each flush loads the backlog); the reader resumes; everything arrives.
    for (let i = 0; i < 300; i++) {
      await flush(server.url);
      const row = await sourceRow(server.url, 'bp');
      if (written === N && row.received === N) break;
      await sleep(100);
    }
    await done;
    await flush(server.url);
    const row = await sourceRow(server.url, 'bp');
    assert.deepEqual([row.received, row.accepted, row.rejected, row.dropped], [N, N, 0, {}]);
    assert.ok(Number(row.status?.pauses) >= 1);
    assert.ok(Number(row.status?.peak_buffered_bytes) <= maxBufferedBytes + 64 * KiB + 512, JSON.stringify(row.status));
    assert.equal(await count(server.url, 'service:bp-svc | stats count()'), N);
    assert.equal(await count(server.url, 'service:bp-svc | stats count_distinct(message)'), N);
  } finally {
    await server.stop();
  }
});

test('UDP: while the write path is behind, datagrams over the queue cap are dropped and counted, never silently', { timeout: 120_000 }, async () => {
  const server = await startServer(join(tempDir('syslog-bp-udp'), 'data'), {
    wal: stuckWal, server: { maxPendingBytes: 2 * 1024 * KiB, retryAfterSeconds: 1 },
    sources: [{ type: 'syslog', name: 'bpu', protocol: 'udp', port: 0, maxBufferedBytes: 64 * KiB, recvBufferBytes: 1024 * KiB }],
  });
  try {
    // Fill the backlog over HTTP until ingest is refused (bounded: 40 requests).
    const line = JSON.stringify({ service: 'filler', message: 'x'.repeat(200) });
    const body = Array.from({ length: 2000 }, () => line).join('\n');
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) refused = (await post(`${server.url}/api/v1/logs`, body, { 'content-type': 'application/x-ndjson' })).status === 429;
    assert.ok(refused, 'the write path is behind');
    const port = await portOf(server.url, 'bpu');
    const udp = createSocket('udp4');
    const N = 2000; // ~500 KB: far over the 64 KiB queue
    for (let i = 0; i < N; i++) {
      const m = Buffer.from(`<14>1 - web1 bpu-svc - - - datagram ${i} ${'u'.repeat(200)}`);
      await new Promise<void>((r, j) => udp.send(m, port, '127.0.0.1', (err) => (err ? j(err) : r())));
      if (i % 50 === 49) await sleep(5); // paced, so the kernel's buffer does not overflow before logsift reads
    }
    udp.close();
    let row = await sourceRow(server.url, 'bpu');
    for (let i = 0; i < 100 && Number(row.status?.datagrams) < N; i++) { await sleep(50); row = await sourceRow(server.url, 'bpu'); }
    const dropped = row.dropped.udp_queue_full ?? 0;
    assert.equal(row.status?.datagrams, N, 'every datagram was read');
    assert.ok(dropped > 0 && dropped < N, JSON.stringify(row));
    for (let i = 0; i < 100 && row.received < N - dropped; i++) { await flush(server.url); await sleep(100); row = await sourceRow(server.url, 'bpu'); }
    await flush(server.url);
    assert.equal(row.received, N - dropped, 'what was not dropped is stored');
    assert.equal(await count(server.url, 'service:bpu-svc | stats count()'), N - dropped);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`logsift_source_dropped_total\\{[^}]*reason="udp_queue_full"[^}]*\\} ${dropped}`));
  } finally {
    await server.stop();
  }
});

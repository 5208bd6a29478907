// When the store falls behind, ingest answers 429 with Retry-After instead of buffering without bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { flush, getJson, post, startServer, tempDir } from './harness.js';

test('a store that falls behind gets 429 with Retry-After, and recovers once it catches up', { timeout: 60_000 }, async () => {
  // Loads never run on their own (1 h interval); segments seal at 1 MiB; the backlog bound is 2 MiB.
  const server = await startServer(join(tempDir('bp'), 'data'), {
    wal: { flushIntervalMs: 3_600_000, segmentMaxBytes: 1024 * 1024 },
    server: { maxPendingBytes: 2 * 1024 * 1024, retryAfterSeconds: 3 },
  });
  try {
    const line = JSON.stringify({ service: 'bp', message: 'x'.repeat(200) });
    const body = Array.from({ length: 2000 }, () => line).join('\n'); // ~430 KB per request
    let accepted = 0;
    let refused: { status: number; retryAfter: string | null; body: Record<string, unknown> } | undefined;
    for (let i = 0; i < 40 && !refused; i++) { // bounded: at most 40 requests
      const r = await post(`${server.url}/api/v1/logs`, body, { 'content-type': 'application/x-ndjson' });
      if (r.status === 200) accepted += Number(r.body.accepted);
      else refused = { status: r.status, retryAfter: r.headers.get('retry-after'), body: r.body };
    }
    assert.ok(refused, 'the server refused once the backlog passed the bound');
    assert.equal(refused.status, 429);
    assert.equal(refused.retryAfter, '3');
    assert.equal((refused.body.error as { code: string }).code, 'http_overloaded');
    assert.ok(accepted >= 4000, `accepted ${accepted} before refusing`);
    const m = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(m, /logsift_overload_rejections_total\{reason="write_backlog"\} [1-9]/);
    // Once the store catches up, ingest is accepted again and nothing acknowledged is missing.
    await flush(server.url);
    const again = await post(`${server.url}/api/v1/logs`, line, { 'content-type': 'application/x-ndjson' });
    assert.equal(again.status, 200);
    await flush(server.url);
    const q = await getJson<{ rows: { count: number }[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent('service:bp | stats count()')}`);
    assert.equal(q.body.rows[0]?.count, accepted + 1);
  } finally {
    await server.stop();
  }
});

test('bodies being received count against the bound, so concurrent large requests cannot exhaust memory', { timeout: 60_000 }, async () => {
  const { request } = await import('node:http');
  const server = await startServer(join(tempDir('bp2'), 'data'), { server: { maxPendingBytes: 1024 * 1024, retryAfterSeconds: 2 } });
  try {
    const line = JSON.stringify({ service: 'slow', message: 'y'.repeat(100) }) + '\n';
    const body = Buffer.from(line.repeat(Math.ceil(700_000 / line.length)));
    // A slow client: declares ~700 KB and sends only the first half, holding its reservation.
    const slow = request(`${server.url}/api/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'content-length': String(body.length) } });
    const slowDone = new Promise<{ status: number; text: string }>((resolve, reject) => {
      slow.on('response', (res) => { let t = ''; res.on('data', (d: Buffer) => { t += d.toString(); }); res.on('end', () => resolve({ status: res.statusCode ?? 0, text: t })); });
      slow.on('error', reject);
    });
    slow.write(body.subarray(0, body.length / 2));
    await new Promise((r) => setTimeout(r, 300));
    const second = await post(`${server.url}/api/v1/logs`, body, { 'content-type': 'application/x-ndjson' });
    assert.equal(second.status, 429, JSON.stringify(second.body));
    assert.equal(second.headers.get('retry-after'), '2');
    slow.end(body.subarray(body.length / 2));
    const first = await slowDone;
    assert.equal(first.status, 200, first.text);
    // The reservation is released with the response: the same request now goes through.
    const third = await post(`${server.url}/api/v1/logs`, body, { 'content-type': 'application/x-ndjson' });
    assert.equal(third.status, 200);
    const m = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(m, /logsift_overload_rejections_total\{reason="inflight_bytes"\} 1/);
  } finally {
    await server.stop();
  }
});

test('a compressed body reserves its decompressed maximum before it is inflated', { timeout: 60_000 }, async () => {
  const { gzipSync } = await import('node:zlib');
  const server = await startServer(join(tempDir('bp3'), 'data'), { server: { maxPendingBytes: 2 * 1024 * 1024, maxDecompressedBytes: 4 * 1024 * 1024 } });
  try {
    const gz = gzipSync(Buffer.from('{"service":"gz","message":"small"}\n'));
    const r = await post(`${server.url}/api/v1/logs`, gz, { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
    assert.equal(r.status, 429, 'up to 4 MiB could come out of it, over the 2 MiB bound');
    const plain = await post(`${server.url}/api/v1/logs`, '{"service":"gz","message":"small"}\n', { 'content-type': 'application/x-ndjson' });
    assert.equal(plain.status, 200);
  } finally {
    await server.stop();
  }
});

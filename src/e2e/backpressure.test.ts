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

// Time until queryable: a burst is loaded once the writers go quiet, without waiting for the load interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getJson, post, startServer, tempDir } from './harness.js';

test('records written in a burst become queryable after wal.idleFlushMs, not after wal.flushIntervalMs', { timeout: 60_000 }, async () => {
  const server = await startServer(join(tempDir('fresh'), 'data'), { wal: { flushIntervalMs: 60_000, idleFlushMs: 100 } });
  try {
    await getJson(`${server.url}/healthz`);
    const sent = Date.now();
    const r = await post(`${server.url}/api/v1/logs`, '{"service":"fresh","message":"hello"}', { 'content-type': 'application/x-ndjson' });
    assert.equal(r.status, 200);
    let seen = 0;
    const deadline = Date.now() + 20_000; // bounded wait; the 60 s interval alone would never get here in time
    while (Date.now() < deadline) {
      const q = await getJson<{ rows: unknown[] }>(`${server.url}/api/v1/query?q=service:fresh`);
      if (q.body.rows.length > 0) { seen = Date.now() - sent; break; }
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.ok(seen > 0 && seen < 20_000, `queryable after ${seen} ms`);
  } finally {
    await server.stop();
  }
});

// Dead letters are replayed after a configuration change, through the CLI, against a restarted server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { binPath, flush, getJson, post, startServer, tempDir } from './harness.js';

const run = promisify(execFile);

test('records without a service wait in the dead-letter store until a default service is configured', { timeout: 60_000 }, async () => {
  const dataDir = join(tempDir('dlq'), 'data');
  let server = await startServer(dataDir, { normalize: { defaultService: null, maxLineBytes: 300 }, wal: { flushIntervalMs: 100 } });
  try {
    const r = await post(`${server.url}/api/v1/logs`, '{"message":"who am i"}\n{"message":"fine","service":"ok"}\n', { 'content-type': 'application/x-ndjson' });
    assert.deepEqual([r.body.accepted, r.body.rejected_by_reason], [1, { missing_service: 1 }]);
    // A long plain line sent with ?service=: dead-lettered, and the request's service is kept for the replay.
    const long = `2026-11-20 10:00:00,000 WARN [main] ${'z'.repeat(400)}`;
    const h = await post(`${server.url}/api/v1/logs?service=hinted`, long, { 'content-type': 'text/plain' });
    assert.deepEqual(h.body.rejected_by_reason, { line_too_long: 1 });
    const list = await run(process.execPath, [binPath, 'dlq', 'list', '--url', server.url]);
    assert.match(list.stdout, /missing_service: 1/);
    assert.match(list.stdout, /who am i/);
  } finally { await server.stop(); }

  server = await startServer(dataDir, { normalize: { defaultService: 'legacy' }, wal: { flushIntervalMs: 100 } });
  try {
    const out = await run(process.execPath, [binPath, 'dlq', 'replay', '--url', server.url, '--reason', 'missing_service']);
    assert.match(out.stdout, /replayed 1 entries \(1 records stored\); 0 still failing/);
    const long = await run(process.execPath, [binPath, 'dlq', 'replay', '--url', server.url, '--reason', 'line_too_long']);
    assert.match(long.stdout, /replayed 1 entries/);
    await flush(server.url);
    const hinted = await getJson<{ rows: { service: string; level: string; timestamp: string }[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent('service:hinted')}`);
    assert.deepEqual(hinted.body.rows.map((x) => [x.service, x.level, x.timestamp]), [['hinted', 'WARN', '2026-11-20T10:00:00Z']]);
    await flush(server.url);
    const q = await getJson<{ rows: { service: string; message: string }[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent('service:legacy')}`);
    assert.deepEqual(q.body.rows.map((x) => x.message), ['who am i']);
    const again = await run(process.execPath, [binPath, 'dlq', 'replay', '--url', server.url]);
    assert.match(again.stdout, /replayed 0 entries/, 'a replayed entry is not replayed twice');
    const query = await run(process.execPath, [binPath, 'query', 'service:legacy', '--url', server.url]);
    assert.match(query.stdout, /who am i/);
  } finally { await server.stop(); }
});

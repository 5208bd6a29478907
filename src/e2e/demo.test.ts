// `logsift serve --demo`: a newcomer sees data from many services within seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { flush, getJson, startServer, tempDir } from './harness.js';

test('serve --demo fills the store with realistic logs from many services', { timeout: 60_000 }, async () => {
  const server = await startServer(join(tempDir('demo'), 'data'), { demo: { linesPerSecond: 50 } }, ['--demo']);
  try {
    let rows: Record<string, unknown>[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      await flush(server.url);
      const r = await getJson<{ rows: Record<string, unknown>[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent('* | stats count() by (service)')}`);
      rows = r.body.rows;
      if (rows.length >= 8) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    assert.ok(rows.length >= 8, `services seen: ${JSON.stringify(rows)}`);
    assert.ok(!rows.some((r) => r.service === 'unknown'), 'every demo line is attributed to its service');
    const errors = await getJson<{ rows: unknown[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent('level:error')}`);
    assert.ok(errors.body.rows.length > 0, 'the demo has errors to find');
    const dl = await getJson<{ counts: Record<string, number> }>(`${server.url}/api/v1/dlq`);
    assert.deepEqual(dl.body.counts, {}, 'every demo line normalizes');
  } finally {
    await server.stop();
  }
});

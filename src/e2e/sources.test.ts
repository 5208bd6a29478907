// Per-source counters and source configuration against a real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { binPath, getJson, post, startServer, tempDir } from './harness.js';

const run = promisify(execFile);

test('GET /api/v1/sources counts what each source received, accepted and rejected by reason', async () => {
  const dir = tempDir('sources');
  const server = await startServer(join(dir, 'data'));
  try {
    const body = [
      JSON.stringify({ service: 'a', level: 'info', message: 'one' }),
      JSON.stringify({ service: 'a', level: 'info', message: 'two' }),
      '{"broken":',
    ].join('\n');
    const r = await post(`${server.url}/api/v1/logs`, body, { 'content-type': 'application/x-ndjson' });
    assert.equal(r.status, 200);
    const s = await getJson<{ sources: { name: string; type: string; received: number; accepted: number; rejected: number; rejected_by_reason: Record<string, number>; bytes: number; batches: number; last_received_at: string | null }[] }>(`${server.url}/api/v1/sources`);
    const http = s.body.sources.find((x) => x.name === 'http');
    assert.ok(http, JSON.stringify(s.body));
    assert.deepEqual({ received: http.received, accepted: http.accepted, rejected: http.rejected, reasons: http.rejected_by_reason, bytes: http.bytes, batches: http.batches },
      { received: 3, accepted: 2, rejected: 1, reasons: { unparseable: 1 }, bytes: Buffer.byteLength(body), batches: 1 });
    assert.ok(http.last_received_at);
    const status = await getJson<{ sources: unknown[] }>(`${server.url}/api/v1/status`);
    assert.ok(Array.isArray(status.body.sources));
  } finally {
    await server.stop();
  }
});

test('a source of an unknown type or with a bad option stops the start, naming the key', async () => {
  const dir = tempDir('sources-bad');
  const cfg = join(dir, 'c.yaml');
  writeFileSync(cfg, stringify({ dataDir: join(dir, 'data'), sources: [{ type: 'carrier-pigeon' }] }));
  await assert.rejects(run(process.execPath, [binPath, 'serve', '--config', cfg, '--port', '0']), (e: { stderr?: string }) => /sources\.0\.type/.test(e.stderr ?? ''));
});

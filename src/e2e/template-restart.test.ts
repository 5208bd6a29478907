// Template ids survive restarts: a clean stop (saved state) and kill -9 before any save (replay from the store).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flush, getJson, post, startServer, tempDir, type RunningServer } from './harness.js';

const kinds = [
  (i: number) => `Failed password for invalid user user${i} from 10.1.${i % 250}.${(i * 7) % 250} port ${40000 + i} ssh2`,
  (i: number) => `Accepted publickey for deploy from 10.2.0.${i % 250} port ${50000 + i} ssh2`,
  (i: number) => `session closed for user u${i % 17}`,
];

async function ingestPhase(s: RunningServer, phase: string, n: number): Promise<void> {
  const t0 = Date.now() - 60_000;
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({
    timestamp: new Date(t0 + i).toISOString(), level: 'info', service: 'sshd', message: (kinds[i % kinds.length] as (i: number) => string)(i), phase,
  }));
  const r = await post(`${s.url}/api/v1/logs`, lines.join('\n'), { 'content-type': 'application/x-ndjson' });
  assert.equal(r.status, 200);
  assert.equal(r.body.accepted, n);
  await flush(s.url);
}

/** template_id -> count for one phase. */
async function idsOf(s: RunningServer, phase: string): Promise<Map<string, number>> {
  const q = encodeURIComponent(`phase:${phase} | stats count() by (template_id)`);
  const r = await getJson<{ rows: { template_id: string; count: number }[] }>(`${s.url}/api/v1/query?q=${q}`);
  assert.equal(r.status, 200);
  return new Map(r.body.rows.map((x) => [x.template_id, x.count]));
}

test('template ids are the same before and after a clean restart and after kill -9 before any save', { timeout: 180_000 }, async () => {
  const dataDir = join(tempDir('tpl-restart'), 'data');
  // The save interval is far beyond the test, so after kill -9 the miner has only the store to catch up from.
  const config = { patterns: { snapshotIntervalMs: 3_600_000 } };
  let s = await startServer(dataDir, config);
  try {
    await ingestPhase(s, 'a', 300);
    const a = await idsOf(s, 'a');
    assert.equal(a.size, 3, `three events give three templates: ${JSON.stringify([...a])}`);
    for (const n of a.values()) assert.equal(n, 100);
    for (const id of a.keys()) assert.match(id, /^[0-9a-f]{16}$/);
    // `| patterns` shows the miner's current templates, long before its first save.
    const p = await getJson<{ rows: { template: string; count: number }[] }>(`${s.url}/api/v1/query?q=${encodeURIComponent('phase:a | patterns')}`);
    assert.deepEqual(p.body.rows.map((r) => r.template).sort(), [
      'Accepted publickey for deploy from <*> port <*> ssh2', 'Failed password for invalid user <*> from <*> port <*> ssh2', 'session closed for user <*>',
    ]);

    await s.kill9();
    const saved = JSON.parse(readFileSync(join(dataDir, 'patterns', 'miner.json'), 'utf8')) as { lsn: number; miner: { templates: unknown[] } };
    assert.deepEqual([saved.lsn, saved.miner.templates.length], [0, 0], 'only the empty state of the first start was saved before the kill');
    s = await startServer(dataDir, config);
    assert.match(s.output(), /template miner caught up/);
    await ingestPhase(s, 'b', 300);
    assert.deepEqual([...(await idsOf(s, 'b')).keys()].sort(), [...a.keys()].sort());

    await s.stop();
    assert.ok(existsSync(join(dataDir, 'patterns', 'miner.json')), 'a clean stop saves the miner');
    s = await startServer(dataDir, config);
    await ingestPhase(s, 'c', 300);
    assert.deepEqual([...(await idsOf(s, 'c')).keys()].sort(), [...a.keys()].sort());

    // template:<id> finds exactly that template's records, across the three runs.
    const first = [...a.keys()][0] as string;
    const r = await getJson<{ rows: { count: number }[] }>(`${s.url}/api/v1/query?q=${encodeURIComponent(`template:${first} | stats count()`)}`);
    assert.equal(r.body.rows[0]?.count, 300);
  } finally {
    await s.stop();
  }
});

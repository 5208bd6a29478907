// Template ids survive restarts: after a clean stop (saved state) and after kill -9 past the last save (replay from
// the store), every record gets the id an uninterrupted miner fed the same records gives it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateMiner } from '../patterns/miner.js';
import { flush, getJson, post, startServer, tempDir, type RunningServer } from './harness.js';

const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar', 'peggy'];
const name = (i: number) => names[i % names.length] as string;
/** Events whose variables include words, so a miner that lost its state would start templates from other messages. */
const kinds = [
  (i: number) => `Failed password for invalid user ${name(i * 7)} from 10.1.${i % 250}.${(i * 7) % 250} port ${40000 + i} ssh2`,
  (i: number) => `Accepted publickey for ${name(i * 3)} from 10.2.0.${i % 250} port ${50000 + i} ssh2`,
  (i: number) => `session closed for user ${name(i * 5)}`,
  (i: number) => `Disconnected from user ${name(i)} 10.3.0.${i % 250} port ${i}`,
];

interface Line { timestamp: string; level: string; service: string; message: string; phase: string }

function phaseLines(phase: string, from: number, n: number, kindCount: number): Line[] {
  const t0 = Date.now() - 600_000;
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { timestamp: new Date(t0 + i * 10).toISOString(), level: 'info', service: 'sshd', message: (kinds[i % kindCount] as (i: number) => string)(i), phase };
  });
}

async function ingest(s: RunningServer, lines: Line[]): Promise<void> {
  const r = await post(`${s.url}/api/v1/logs`, lines.map((l) => JSON.stringify(l)).join('\n'), { 'content-type': 'application/x-ndjson' });
  assert.equal(r.status, 200);
  assert.equal(r.body.accepted, lines.length);
  await flush(s.url);
}

/** message -> template_id of the stored records of one phase. */
async function storedIds(s: RunningServer, phase: string): Promise<Map<string, string>> {
  const q = encodeURIComponent(`phase:${phase} | fields message, template_id | limit 5000`);
  const r = await getJson<{ rows: { message: string; template_id: string }[] }>(`${s.url}/api/v1/query?q=${q}`);
  assert.equal(r.status, 200);
  return new Map(r.body.rows.map((x) => [x.message, x.template_id]));
}

test('template ids after a clean restart and after kill -9 past the last save equal an uninterrupted run', { timeout: 180_000 }, async () => {
  const dataDir = join(tempDir('tpl-restart'), 'data');
  // Saves happen only at a clean stop here, so after kill -9 the miner must catch up from the store.
  const config = { patterns: { snapshotIntervalMs: 3_600_000 } };
  const phases = [phaseLines('a', 0, 150, 3), phaseLines('b', 150, 150, 4), phaseLines('c', 300, 150, 4)];
  // The reference: one miner, never stopped, fed the same records in the same order.
  const reference = new TemplateMiner();
  const expected = phases.map((lines) => new Map(lines.map((l) => [l.message, reference.add(l.service, l.message, l.timestamp).id])));

  let s = await startServer(dataDir, config);
  try {
    await ingest(s, phases[0] as Line[]);
    assert.deepEqual(await storedIds(s, 'a'), expected[0]);
    // `| patterns` shows the miner's current templates, long before its first save.
    const p = await getJson<{ rows: { template: string }[] }>(`${s.url}/api/v1/query?q=${encodeURIComponent('phase:a | patterns')}`);
    assert.deepEqual(p.body.rows.map((r) => r.template).sort(), [
      'Accepted publickey for <*> from <*> port <*> ssh2', 'Failed password for invalid user <*> from <*> port <*> ssh2', 'session closed for user <*>',
    ]);
    await s.stop();
    const saved = JSON.parse(readFileSync(join(dataDir, 'patterns', 'miner.json'), 'utf8')) as { lsn: number };
    assert.equal(saved.lsn, 150, 'a clean stop saves the miner as of the last record');

    s = await startServer(dataDir, config);
    await ingest(s, phases[1] as Line[]);
    assert.deepEqual(await storedIds(s, 'b'), expected[1]);
    await s.kill9();
    const stale = JSON.parse(readFileSync(join(dataDir, 'patterns', 'miner.json'), 'utf8')) as { lsn: number };
    assert.equal(stale.lsn, 150, 'nothing was saved after the first stop');

    s = await startServer(dataDir, config);
    assert.match(s.output(), /template miner caught up/);
    await ingest(s, phases[2] as Line[]);
    assert.deepEqual(await storedIds(s, 'c'), expected[2]);

    // template:<id> finds that template's records across the three runs.
    const failed = expected[0]?.get(phases[0]?.[0]?.message ?? '') as string;
    const r = await getJson<{ rows: { count: number }[] }>(`${s.url}/api/v1/query?q=${encodeURIComponent(`template:${failed} | stats count()`)}`);
    const want = [...expected].reduce((n, m) => n + [...m.values()].filter((id) => id === failed).length, 0);
    assert.equal(r.body.rows[0]?.count, want);
  } finally {
    await s.stop();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogStore } from './log-store.js';
import { salvageSegment } from './salvage.js';

const rec = (lsn: number, extra: object = {}) => JSON.stringify({
  k: 'r', lsn, id: `id${lsn}`, timestamp: '2024-01-01T00:00:00Z', level: 'INFO', service: 'api', message: `m${lsn}`, received_at: '2024-01-01T00:00:00Z', source: 't', ...extra,
});

test('a segment the store rejects whole is salvaged: good lines load, unreadable ones become wal_corrupt dead letters', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-'));
  const store = await LogStore.open(dir, { threads: 1, memoryLimit: '256MiB' });
  mkdirSync(join(dir, 'wal'));
  const path = join(dir, 'wal', 'seg-1.ndjson');
  const lines = [rec(1), rec(2), rec(3, { timestamp: '9999-01-01T00:00:00Z' }), rec(4), rec(5, { metadata: { note: 'lone \ud800 surrogate' } }), rec(6)];
  writeFileSync(path, lines.join('\n') + '\n');
  const seg = { path, seq: 1, bytes: 0, lastLsn: 6, deadLetters: false };
  await assert.rejects(store.loadSegment(seg, 6), /cannot load WAL segment/);
  assert.equal(store.appliedLsn, 0, 'a failed load applies nothing');
  const r = await salvageSegment(store, seg);
  assert.deepEqual(r, { records: 4, corrupt: 2 });
  assert.equal(store.appliedLsn, 6);
  const ids = (await store.query('SELECT id FROM logs ORDER BY lsn')).map((x) => x.id);
  assert.deepEqual(ids, ['id1', 'id2', 'id4', 'id6']);
  const dl = await store.query(`SELECT lsn, reason, to_base64(raw) AS b FROM dead_letters ORDER BY lsn`);
  assert.deepEqual(dl.map((x) => [x.lsn, x.reason]), [[3, 'wal_corrupt'], [5, 'wal_corrupt']]);
  assert.equal(Buffer.from(String(dl[0]?.b), 'base64').toString(), lines[2], 'the line is kept verbatim');
  // Loading it again after a crash changes nothing.
  assert.deepEqual(await store.loadSegment(seg, 6), { records: 0, deadLetters: 0 });
  await store.close();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../errors.js';
import { LogStore } from './log-store.js';
import { ensureTemplatesTable, readTemplates, upsertTemplates, type TemplateRow } from './templates.js';

const opts = { threads: 1, memoryLimit: '256MiB' };
const id = (n: number) => n.toString(16).padStart(16, '0');

function row(n: number, extra: Partial<TemplateRow> = {}): TemplateRow {
  return {
    templateId: id(n), service: `svc${n % 3}`, template: `user <*> logged in from <*> (${n})`,
    firstSeen: '2024-01-01T00:00:00.123456789Z', lastSeen: '2024-01-02T00:00:00Z', count: n, examples: [`user u${n} logged in from 10.0.0.1 (${n})`],
    ...extra,
  };
}

test('templates are created idempotently, upserted and read back with nanoseconds, lists and hostile text intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'templates-'));
  let store = await LogStore.open(dir, opts);
  await ensureTemplatesTable(store);
  await ensureTemplatesTable(store);
  const hostile = "it's \"quoted\" '); DROP TABLE logs; -- $1 ünï ✓";
  await upsertTemplates(store, [row(1), row(2, { template: hostile, examples: [hostile, 'b', 'c', 'd'] })]);
  const all = await readTemplates(store);
  assert.deepEqual(all.map((t) => t.templateId), [id(2), id(1)], 'most frequent first');
  assert.equal(all[0]?.template, hostile);
  assert.deepEqual(all[0]?.examples, [hostile, 'b', 'c', 'd'], 'examples as the miner gives them');
  assert.equal(all[1]?.firstSeen, '2024-01-01T00:00:00.123456789Z');
  assert.equal(all[1]?.lastSeen, '2024-01-02T00:00:00Z');
  assert.deepEqual((await readTemplates(store, 'svc1')).map((t) => t.templateId), [id(1)]);
  assert.deepEqual(await readTemplates(store, 'nope'), []);
  await store.close();
  store = await LogStore.open(dir, opts);
  assert.equal((await readTemplates(store)).length, 2, 'durable across reopen');
  await store.close();
});

test('an upsert replaces count, text and examples; first_seen only moves earlier and last_seen only later', async () => {
  const store = await LogStore.open(mkdtempSync(join(tmpdir(), 'templates-')), opts);
  await ensureTemplatesTable(store);
  await upsertTemplates(store, [row(7)]);
  await upsertTemplates(store, [row(7, { count: 99, template: 'new <*>', examples: ['new x'], firstSeen: '2024-01-01T12:00:00Z', lastSeen: '2024-01-03T00:00:00+02:00' })]);
  let [t] = await readTemplates(store);
  assert.deepEqual(t, { ...row(7), count: 99, template: 'new <*>', examples: ['new x'], lastSeen: '2024-01-02T22:00:00Z' });
  await upsertTemplates(store, [row(7, { firstSeen: '2023-12-31T00:00:00Z', lastSeen: '2024-01-01T00:00:00Z' }), row(7, { count: 5 })]);
  [t] = await readTemplates(store);
  assert.equal(t?.firstSeen, '2024-01-01T00:00:00.123456789Z', 'the last row with the same id wins, and first_seen never moves later');
  assert.equal(t?.count, 5);
  await store.close();
});

test('a malformed row is a ValidationError and nothing of the batch is written', async () => {
  const store = await LogStore.open(mkdtempSync(join(tmpdir(), 'templates-')), opts);
  await ensureTemplatesTable(store);
  const bad: TemplateRow[] = [
    row(1, { templateId: 'ABCDEF0123456789' }), row(2, { firstSeen: 'yesterday' }), row(3, { count: -1 }), row(4, { templateId: "x'; --" }),
  ];
  for (const b of bad) {
    await assert.rejects(upsertTemplates(store, [row(10), b]), (err: unknown) => err instanceof ValidationError && /cannot store templates: template/.test(err.message));
  }
  assert.deepEqual(await readTemplates(store), []);
  await upsertTemplates(store, []);
  await store.close();
});

test('ten thousand templates upsert in one transaction, fast', async () => {
  const store = await LogStore.open(mkdtempSync(join(tmpdir(), 'templates-')), opts);
  await ensureTemplatesTable(store);
  const rows = Array.from({ length: 10_000 }, (_, i) => row(i + 1, { examples: [`a ${i}`, `b ${i}`, `c ${i}`] }));
  const t0 = performance.now();
  await upsertTemplates(store, rows);
  await upsertTemplates(store, rows.map((r) => ({ ...r, count: r.count + 1 })));
  const ms = performance.now() - t0;
  assert.ok(ms < 5000, `two upserts of 10k rows took ${Math.round(ms)} ms`);
  const all = await readTemplates(store);
  assert.equal(all.length, 10_000);
  assert.equal(all[0]?.count, 10_001);
  await store.close();
});

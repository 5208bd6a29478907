// GET /api/v1/patterns and `| patterns` end to end: an in-process engine (fixed clock, real data directory) served on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../api/server.js';
import { resolveConfig } from '../config.js';
import { Engine } from '../pipeline.js';
import { upsertTemplates } from '../store/templates.js';
import { flush, getJson, post, tempDir } from './harness.js';

const NOW = new Date('2026-01-05T12:00:00Z');
const at = (hh: number, mm: number, ss = 0) => new Date(Date.UTC(2026, 0, 5, hh, mm, ss)).toISOString();

let engine: Engine;
let app: FastifyInstance;
let url: string;

before(async () => {
  const config = resolveConfig({ dataDir: join(tempDir('patterns'), 'data'), wal: { flushIntervalMs: 100 }, store: { retentionDays: 0 },
    log: { level: 'warn' }, patterns: { snapshotIntervalMs: 3_600_000 } });
  engine = await Engine.open(config, { now: () => NOW });
  app = await buildServer(engine);
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await app?.close();
  await engine?.close();
});

interface Pattern { template_id: string; service: string; template: string; count: number; previous_count: number; change: number; new: boolean; first_seen: string; last_seen: string; examples: string[]; sparkline: number[] }
interface Report { service: string | null; from: string; to: string; previous_from: string; sort: string; buckets: number; bucket_seconds: number; templates: Pattern[]; took_ms: number }

async function report(query: string): Promise<Report> {
  const r = await getJson<Report>(`${url}/api/v1/patterns?${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function ingest(records: object[]): Promise<void> {
  const r = await post(`${url}/api/v1/logs`, records.map((x) => JSON.stringify(x)).join('\n'), { 'content-type': 'application/x-ndjson' });
  assert.deepEqual([r.status, r.body.accepted], [200, records.length], JSON.stringify(r.body));
}

/** Four kinds of message: one steady, one tripling, one that stopped, one that appeared at 11:30 (range 11:00-12:00). */
function simulated(prefix: string): { records: object[]; kinds: Record<string, (m: string) => boolean> } {
  const records: object[] = [];
  const add = (service: string, ts: string, message: string) => records.push({ ts, service: `${prefix}-${service}`, level: 'info', message });
  for (let i = 0; i < 40; i++) add('auth', at(11, Math.floor(i * 1.5), (i % 2) * 30), `login succeeded for user id ${i} from 10.0.0.${i}`);
  for (let j = 0; j < 10; j++) add('auth', at(10, j * 6), `login succeeded for user id ${j} from 10.0.1.${j}`);
  for (let j = 0; j < 5; j++) add('auth', at(10, 30 + j), `password reset requested for account ${j}`);
  for (let j = 0; j < 20; j++) add('auth', at(11, 30 + j), `account locked after ${j + 3} failed attempts`);
  for (let j = 0; j < 30; j++) add('api', at(11, 2 * j), `served request ${j} in ${j + 5} ms`);
  for (let j = 0; j < 30; j++) add('api', at(10, 2 * j), `served request ${j} in ${j + 7} ms`);
  return {
    records,
    kinds: { login: (m) => m.startsWith('login succeeded'), reset: (m) => m.startsWith('password reset'), locked: (m) => m.startsWith('account locked'), items: (m) => m.startsWith('served request') },
  };
}

/** Counts per 10-minute bucket from 11:00 of the records `keep` selects in [11:00, 12:00). */
function sparkline(records: object[], keep: (m: string) => boolean, buckets = 6): number[] {
  const out = Array<number>(buckets).fill(0);
  const lo = Date.parse(at(11, 0)), width = 3_600_000 / buckets;
  for (const r of records as { ts: string; message: string }[]) {
    const t = Date.parse(r.ts);
    if (keep(r.message) && t >= lo && t < lo + 3_600_000) out[Math.floor((t - lo) / width)]! += 1;
  }
  return out;
}

const IDS = { login: 'e2e0000000000001', reset: 'e2e0000000000002', locked: 'e2e0000000000003', items: 'e2e0000000000004' } as const;

test('the patterns API: counts, previous counts, change, new, first/last seen, examples, sparklines and sorting', async () => {
  const { records, kinds } = simulated('sim');
  await ingest(records);
  await flush(url);
  // Stands in for the miner, so this test does not depend on its clustering: template ids set in the store directly.
  for (const [kind, id] of Object.entries(IDS)) {
    const prefix = { login: 'login succeeded', reset: 'password reset', locked: 'account locked', items: 'served request' }[kind] ?? '';
    await engine.store.exec(`UPDATE logs SET template_id = $1 WHERE starts_with(service, 'sim-') AND starts_with(message, $2)`, [id, prefix]);
  }
  await upsertTemplates(engine.store, [
    { templateId: IDS.login, service: 'sim-auth', template: 'login succeeded for user id <*> from <*>', firstSeen: '2026-01-01T00:00:00Z', lastSeen: at(11, 58, 30), count: 50, examples: ['login succeeded for user id 1 from 10.0.0.1'] },
    { templateId: IDS.locked, service: 'sim-auth', template: 'account locked after <*> failed attempts', firstSeen: at(11, 30), lastSeen: at(11, 49), count: 20, examples: ['account locked after 3 failed attempts'] },
  ]);

  const r = await report(`service=sim-auth&from=${at(11, 0)}&to=${at(12, 0)}&buckets=6`);
  assert.deepEqual([r.service, r.from, r.to, r.previous_from, r.sort, r.buckets, r.bucket_seconds],
    ['sim-auth', '2026-01-05T11:00:00.000000000Z', '2026-01-05T12:00:00.000000000Z', '2026-01-05T10:00:00.000000000Z', 'change', 6, 600]);
  assert.deepEqual(r.templates.map((t) => t.template_id), [IDS.locked, IDS.login, IDS.reset], 'largest absolute change first');
  const [locked, login, reset] = r.templates;
  assert.deepEqual(locked, {
    template_id: IDS.locked, service: 'sim-auth', template: 'account locked after <*> failed attempts', count: 20, previous_count: 0, change: 20, new: true,
    first_seen: '2026-01-05T11:30:00Z', last_seen: '2026-01-05T11:49:00Z', examples: ['account locked after 3 failed attempts'], sparkline: sparkline(records, kinds.locked!),
  });
  assert.deepEqual([login?.count, login?.previous_count, login?.change, login?.new, login?.first_seen, login?.sparkline],
    [40, 10, 3, false, '2026-01-01T00:00:00Z', sparkline(records, kinds.login!)]);
  assert.deepEqual([reset?.count, reset?.previous_count, reset?.change, reset?.new, reset?.first_seen, reset?.last_seen, reset?.sparkline],
    [0, 5, -1, false, '2026-01-05T10:30:00Z', '2026-01-05T10:34:00Z', [0, 0, 0, 0, 0, 0]]);
  assert.match(String(reset?.template), /^password reset requested for account \d$/, 'without a templates row a message stands for the text');
  assert.deepEqual(reset?.examples, [reset?.template]);

  assert.deepEqual((await report(`service=sim-auth&from=${at(11, 0)}&to=${at(12, 0)}&sort=newest`)).templates.map((t) => t.template_id), [IDS.locked, IDS.reset, IDS.login]);
  assert.deepEqual((await report(`service=sim-auth&from=${at(11, 0)}&to=${at(12, 0)}&sort=count&limit=2`)).templates.map((t) => t.template_id), [IDS.login, IDS.locked]);
  // Defaults: the hour before now, 20 buckets, every service.
  const all = await report('');
  assert.deepEqual([all.from, all.to, all.buckets, all.service], ['2026-01-05T11:00:00.000000000Z', '2026-01-05T12:00:00.000000000Z', 20, null]);
  const items = all.templates.find((t) => t.template_id === IDS.items);
  assert.deepEqual([items?.service, items?.count, items?.previous_count, items?.change, items?.sparkline.length], ['sim-api', 30, 30, 0, 20]);
  assert.equal((await report('from=1h&to=now&service=sim-auth')).templates.length, 3, 'relative times count back from now');
  assert.deepEqual((await report('service=nope')).templates, []);

  // The same records through the query language.
  const q = await getJson<{ kind: string; rows: Record<string, unknown>[] }>(`${url}/api/v1/query?q=${encodeURIComponent('service:sim-auth | patterns buckets 6')}&start=${at(11, 0)}&end=${at(12, 0)}`);
  assert.equal(q.status, 200, JSON.stringify(q.body));
  assert.equal(q.body.kind, 'patterns');
  assert.deepEqual(q.body.rows.map((row) => [row.template_id, row.template, row.count, row.sparkline]), [
    [IDS.login, 'login succeeded for user id <*> from <*>', 40, sparkline(records, kinds.login!)],
    [IDS.locked, 'account locked after <*> failed attempts', 20, sparkline(records, kinds.locked!)],
  ]);
  const search = await getJson<{ rows: unknown[] }>(`${url}/api/v1/query?q=${encodeURIComponent(`template:${IDS.login}`)}&limit=1000`);
  assert.equal(search.body.rows.length, 50);
});

test('bad parameters are a 400 naming the parameter', async () => {
  const cases: [string, RegExp][] = [
    ['from=yesterday', /parameter "from" must be RFC 3339/],
    ['to=soon', /parameter "to" must be RFC 3339/],
    [`from=${at(12, 0)}&to=${at(11, 0)}`, /parameter "from" must be before "to"/],
    ['from=0001-01-01T00:00:00Z', /within the years 0000-9999/],
    ['sort=loudest', /parameter "sort" must be one of change, newest, count/],
    ['buckets=0', /parameter "buckets" must be an integer from 1 to 200/],
    ['buckets=201', /parameter "buckets" must be an integer from 1 to 200/],
    ['buckets=2.5', /parameter "buckets"/],
    ['limit=0', /parameter "limit" must be an integer from 1 to 10000 \(query.maxLimit\)/],
    [`service=${'x'.repeat(300)}`, /parameter "service" is over 256 characters/],
    ['service=a&service=b', /parameter "service" must be given once/],
    ['from=1h&from=2h', /parameter "from" must be given once/],
  ];
  for (const [query, message] of cases) {
    const r = await getJson<{ error: { code: string; message: string } }>(`${url}/api/v1/patterns?${query}`);
    assert.equal(r.status, 400, query);
    assert.equal(r.body.error.code, 'http_bad_request');
    assert.match(r.body.error.message, message, query);
  }
});

test('the miner assigns template ids on ingest and saves its templates; the patterns API and pipe list them', async () => {
  const { records, kinds } = simulated('mined');
  await ingest(records);
  await flush(url);
  const rows = await engine.store.query(`SELECT message, template_id FROM logs WHERE starts_with(service, 'mined-')`);
  assert.equal(rows.length, records.length);
  const idsOf = (keep: (m: string) => boolean) => new Set(rows.filter((row) => keep(String(row.message))).map((row) => row.template_id));
  const ids = Object.fromEntries(Object.entries(kinds).map(([kind, keep]) => [kind, idsOf(keep)]));
  for (const [kind, set] of Object.entries(ids)) assert.equal(set.size, 1, `every ${kind} message has one template id: ${[...set].join(', ')}`);
  const id = (kind: string) => String([...(ids[kind] ?? [])][0]);
  assert.equal(new Set(Object.keys(kinds).map(id)).size, 4, 'four kinds, four templates');
  for (const kind of Object.keys(kinds)) assert.match(id(kind), /^[0-9a-f]{16}$/);

  // Before the miner's first save, the report already shows its current templates (it syncs the changed ones first).
  const early = await report(`service=mined-auth&from=${at(11, 0)}&to=${at(12, 0)}&buckets=6`);
  assert.deepEqual(early.templates.map((x) => [x.template_id, x.count, x.previous_count, x.change, x.new, x.sparkline]), [
    [id('locked'), 20, 0, 20, true, sparkline(records, kinds.locked!)],
    [id('login'), 40, 10, 3, false, sparkline(records, kinds.login!)],
    [id('reset'), 0, 5, -1, false, [0, 0, 0, 0, 0, 0]],
  ]);
  assert.deepEqual(early.templates.map((x) => x.template), ['account locked after <*> failed attempts', 'login succeeded for user id <*> from <*>', 'password reset requested for account <*>']);
  // The save the snapshot timer would make (its interval is an hour in this test, so it cannot run concurrently).
  await engine.patterns.save(engine.writePath.lastLsn);
  const r = await report(`service=mined-auth&from=${at(11, 0)}&to=${at(12, 0)}&buckets=6`);
  const [locked, login, reset] = r.templates;
  assert.deepEqual(r.templates.map((x) => x.template_id), [id('locked'), id('login'), id('reset')]);
  assert.deepEqual(locked && { ...locked, examples: locked.examples.length }, {
    template_id: id('locked'), service: 'mined-auth', template: 'account locked after <*> failed attempts', count: 20, previous_count: 0, change: 20, new: true,
    first_seen: '2026-01-05T11:30:00Z', last_seen: '2026-01-05T11:49:00Z', examples: engine.config.patterns.examples, sparkline: sparkline(records, kinds.locked!),
  });
  assert.ok(locked?.examples.every((e) => kinds.locked!(e)), 'examples are messages of the template');
  assert.deepEqual([login?.template, login?.first_seen, login?.last_seen], ['login succeeded for user id <*> from <*>', '2026-01-05T10:00:00Z', '2026-01-05T11:58:30Z']);
  assert.deepEqual([reset?.template, reset?.first_seen, reset?.last_seen], ['password reset requested for account <*>', '2026-01-05T10:30:00Z', '2026-01-05T10:34:00Z']);
  assert.deepEqual((await report(`service=mined-auth&from=${at(11, 0)}&to=${at(12, 0)}&sort=newest`)).templates.map((x) => x.template_id), [id('locked'), id('reset'), id('login')]);

  const q = await getJson<{ rows: Record<string, unknown>[] }>(`${url}/api/v1/query?q=${encodeURIComponent('service:mined-api | patterns buckets 2')}&start=${at(10, 0)}&end=${at(12, 0)}`);
  assert.deepEqual(q.body.rows.map((row) => [row.template_id, row.template, row.count, row.sparkline]), [[id('items'), 'served request <*> in <*> ms', 60, [30, 30]]]);
});

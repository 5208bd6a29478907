// Hostile and random query text is data, never SQL: the tables survive, results stay right, errors are QueryErrors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from '../errors.js';
import { compileQuery, type CompileOptions } from './compile.js';
import { parseQuery } from './parser.js';
import { executeQuery } from './rows.js';
import { ANOMALIES_DDL } from '../store/anomalies.js';
import { createFixture, FIXTURE_NOW, FIXTURE_SIZE, type Fixture, type FixtureRow } from './test-fixture.js';

let fx: Fixture;
/** Services of the stored anomalies (for `| anomalies`): hostile text among them. */
const ANOMALY_SERVICES = ['api', "x'); DROP TABLE anomalies; --", 'a"b\\c $1', 'api-gateway'];
before(async () => {
  fx = await createFixture();
  await fx.connection.run('CREATE TABLE canary AS SELECT 42 AS n');
  await fx.connection.run(ANOMALIES_DDL);
  for (const [i, service] of ANOMALY_SERVICES.entries()) {
    await fx.connection.run(`INSERT INTO anomalies VALUES ($1, CAST($2 AS TIMESTAMP_NS), CAST($2 AS TIMESTAMP_NS), CAST($3 AS TIMESTAMP_NS), 'volume_spike', 'high', $4, $5, $6, 0.9, CAST($7 AS JSON), 'open')`,
      [`a${i}`, `2024-01-01T0${i}:00:00Z`, `2024-01-01T0${i}:05:00Z`, service, `about ${service}`, i, JSON.stringify({ service })]);
  }
});
after(() => fx.close());

const opts: CompileOptions = { relation: 'logs', now: FIXTURE_NOW, defaultLimit: 1000, maxLimit: 1000 };

async function ids(text: string): Promise<unknown[]> {
  return (await executeQuery(fx.connection, compileQuery(parseQuery(text), opts))).rows.map((row) => row.id);
}

async function assertTablesIntact(): Promise<void> {
  const logs = await fx.connection.runAndReadAll('SELECT count(*) AS n FROM logs');
  assert.equal(Number(logs.getRows()[0]?.[0]), FIXTURE_SIZE, 'logs keeps every row');
  const canary = await fx.connection.runAndReadAll('SELECT n FROM canary');
  assert.equal(canary.getRows()[0]?.[0], 42, 'canary table is untouched');
  const anomalies = await fx.connection.runAndReadAll('SELECT count(*) AS n FROM anomalies');
  assert.equal(Number(anomalies.getRows()[0]?.[0]), ANOMALY_SERVICES.length, 'anomalies keeps every row');
}

const newestFirst = (keep: (row: FixtureRow) => boolean): string[] =>
  fx.rows.filter(keep).sort((a, b) => (a.epochNs < b.epochNs ? 1 : -1)).map((row) => row.id);
const has = (s: string) => (r: FixtureRow) => r.message.toLowerCase().includes(s.toLowerCase());

test("quotes, SQL comments, placeholders, backslashes and unicode in values are matched as text", async () => {
  const cases: [string, (row: FixtureRow) => boolean][] = [
    ["user's", has("user's")],
    ['"user\'s session"', has("user's session")],
    ['"\\";DROP TABLE logs;--"', has('";DROP TABLE logs;--')],
    ['";DROP TABLE logs;--"', has(';DROP TABLE logs;--')],
    ["'; DROP TABLE logs; --", () => false],
    ['$1', has('$1')],
    ['"$1 per"', has('$1 per')],
    ['service:$1', () => false],
    ['"C:\\\\logs\\\\app.log"', has('C:\\logs\\app.log')],
    ['"C:\\logs\\app.log"', has('C:\\logs\\app.log')],
    ['\\logs\\app.log', has('\\logs\\app.log')],
    ['"Ünïcødé ✓"', has('Ünïcødé ✓')],
    ['日本語 message', (r) => has('日本語')(r) && has('message')(r)],
    ['x-tag:"it\'s \\"quoted\\" \\\\ $1"', (r) => r.metadata?.['x-tag'] === 'it\'s "quoted" \\ $1'],
    ['region:"eu\' OR \'1\'=\'1"', () => false],
    ['service:"api\') OR (1=1"', () => false],
    ['service:api\'--', () => false],
    ["metadata.a'b:1", has("metadata.a'b:1")],
  ];
  for (const [text, keep] of cases) {
    assert.deepEqual(await ids(text), newestFirst(keep), text);
    await assertTablesIntact();
  }
});

test('hostile names in pipes are rejected before any SQL exists', async () => {
  const hostile = [
    '| stats count() by (service"; DROP TABLE logs; --)',
    '| fields service;DROP',
    '| sort by timestamp; DROP TABLE logs',
    '| stats count() as "x"',
    '| stats count() as x;DROP',
    '| top 5 "service"',
    "| fields 'service'",
    '| histogram 1m; DROP TABLE logs',
  ];
  for (const text of hostile) {
    assert.throws(() => compileQuery(parseQuery(text), opts), QueryError, text);
  }
  await assertTablesIntact();
});

test('| anomalies: hostile service values are matched as data; hostile options and names are rejected', async () => {
  const services = async (text: string) => (await executeQuery(fx.connection, compileQuery(parseQuery(text), opts))).rows.map((row) => row.service);
  const cases: [string, string[]][] = [
    ['service:"x\'); DROP TABLE anomalies; --" | anomalies', ["x'); DROP TABLE anomalies; --"]],
    ['service:"a\\"b\\\\c $1" | anomalies', ['a"b\\c $1']],
    ['service:"api\') OR (1=1" | anomalies', []],
    ["service:api'-- | anomalies", []],
    ['service:$1 | anomalies', []],
    ['service:api* | anomalies min_score 0', ['api-gateway', 'api']],
    ['service:in(api, "x\'); DROP TABLE anomalies; --") | anomalies', ["x'); DROP TABLE anomalies; --", 'api']],
  ];
  for (const [text, want] of cases) {
    assert.deepEqual(await services(text), want, text);
    await assertTablesIntact();
  }
  const hostile = [
    '| anomalies type volume_spike\'; DROP TABLE anomalies; --',
    '| anomalies type "volume_spike\' OR \'1\'=\'1"',
    '| anomalies severity high;DROP',
    '| anomalies status open) OR (1=1',
    '| anomalies min_score 1;DROP TABLE anomalies',
    '| anomalies min_score 0x10',
    '| anomalies | fields anomaly_id;DROP',
    '| anomalies | sort by score; DROP TABLE anomalies',
    '| anomalies | sort by "score"',
    'service:api level:error" OR 1=1 | anomalies',
    "description:'x' | anomalies",
    "service:api' OR '1'='1 | anomalies",
  ];
  for (const text of hostile) assert.throws(() => compileQuery(parseQuery(text), opts), QueryError, text);
  await assertTablesIntact();
});

test('random query text either fails with a QueryError or runs without a database error', async () => {
  const pieces = [
    'service:', 'level:', 'region:', 'metadata.status:', 'lsn:', '_time:', 'host:', 'since:', 'x-tag:', 'metadata:', 'message:',
    'api', 'warn', 'eu', '500', '15m', 'now-1h', '2024-01-01', '2024-01-01T01:00:00Z', '*', 'web*', '"web 1"', '"a b"',
    '>=', '>', '<', '=', '[', ']', '(', ')', ',', 'in(', '-', 'NOT ', ' OR ', ' AND ', ' ', ' ', ' ', '"', "'", '\\', ';',
    '$1', 'DROP', 'ü', '日本', '|', '| stats count() by (service)', '| top 3 host', '| histogram 1h', '| sort by lsn desc',
    '| limit 5', '| fields id, region', 'stats', 'by', 'count()', 'p95(duration_ms)', '| stats avg(status), min(timestamp) by level',
    '| anomalies', ' type volume_spike', ' severity high, low', ' min_severity', ' status', ' min_score 0.5', '| sort by score desc',
  ];
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  let ran = 0;
  for (let i = 0; i < 400; i++) {
    const text = Array.from({ length: 1 + random(8) }, () => pieces[random(pieces.length)]).join('');
    let compiled;
    try {
      compiled = compileQuery(parseQuery(text), opts);
    } catch (err) {
      assert.ok(err instanceof QueryError, `${JSON.stringify(text)} threw ${String(err)}`);
      assert.ok(err.position === undefined || (err.position >= 0 && err.position <= text.length), `${JSON.stringify(text)}: position ${err.position}`);
      continue;
    }
    await assert.doesNotReject(executeQuery(fx.connection, compiled), `${JSON.stringify(text)} -> ${compiled.sql}`);
    ran++;
  }
  assert.ok(ran > 100, `only ${ran} of 400 random queries compiled`);
  await assertTablesIntact();
});

// Golden test over the Loghub 2k samples of 8 systems: every line normalizes, messages equal Loghub's Content column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LogRecordInput } from '../model/log-record.js';
import { schemaValidators } from '../model/schemas.js';
import { normalizeLevel } from './level.js';
import { normalizeLine } from './normalize.js';
import { defaultNormalizeOptions } from './options.js';

/** dist/normalize -> /work/shared/data/loghub-2k (the shared data folder beside the checkout). */
const dataDir = fileURLToPath(new URL('../../../shared/data/loghub-2k/', import.meta.url));

/** Share of lines whose message must equal Content, per system (what the parsers achieve today). */
const minMessageMatch: Record<string, number> = {
  Apache: 1, BGL: 1, HDFS: 1, Hadoop: 1, Linux: 1, OpenSSH: 1, Zookeeper: 1,
  Spark: 0.998, // `INFO Remoting: ...`: a logger name without a dot is not split off (it could be the message's first word)
};
/** Format each system's lines are detected as. */
const expectedFormat: Record<string, string> = {
  Apache: 'plain', BGL: 'plain', HDFS: 'plain', Hadoop: 'plain', Linux: 'rfc3164', OpenSSH: 'rfc3164', Spark: 'plain', Zookeeper: 'plain',
};

type Row = (name: string) => string;
type Rec = LogRecordInput & { metadata?: Record<string, unknown> };
const iso = (date: string, time: string): string => `${date}T${time.replace(',', '.')}Z`;
/** Header fields each system's record must carry, as [what, actual, expected] triples. */
const headerChecks: Record<string, (r: Rec, col: Row) => [string, unknown, unknown][]> = {
  Apache: (r) => [['timestamp has no fraction', /:\d\dZ$/.test(r.timestamp), true]],
  BGL: (r, col) => [
    ['timestamp', r.timestamp, `${new Date(Number(col('Timestamp')) * 1000).toISOString().slice(0, 19)}.${col('Time').slice(20)}Z`],
    ['host', r.host ?? r.metadata?.node, col('Node') || 'NULL'],
    ['component', r.metadata?.component, col('Component')],
  ],
  HDFS: (r, col) => [['pid', r.metadata?.pid, Number(col('Pid'))], ['component', r.metadata?.component, col('Component')]],
  Hadoop: (r, col) => [
    ['timestamp', r.timestamp, iso(col('Date'), col('Time'))],
    ['thread', r.metadata?.thread, col('Process')],
    ['component', r.metadata?.component, col('Component')],
  ],
  Linux: (r, col) => [
    ['host', r.host, col('Level')],
    ['service', [r.service, r.metadata?.app_version].filter(Boolean).join(' '), col('Component')],
    ['pid', r.metadata?.pid, col('PID') === '' ? undefined : Number(col('PID'))],
  ],
  OpenSSH: (r, col) => [['host', r.host, col('Component')], ['service', r.service, 'sshd'], ['pid', r.metadata?.pid, Number(col('Pid'))]],
  Spark: (r, col) => [['timestamp', r.timestamp, iso(`20${col('Date').replaceAll('/', '-')}`, col('Time'))]],
  Zookeeper: (r, col) => [['timestamp', r.timestamp, iso(col('Date'), col('Time'))], ['line', r.metadata?.line, Number(col('Id'))]],
};

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

test('parseCsv handles quoted commas, doubled quotes and a missing final newline', () => {
  assert.deepEqual(parseCsv('a,b\n1,"x, ""y"""\n2,z'), [['a', 'b'], ['1', 'x, "y"'], ['2', 'z']]);
});

for (const system of Object.keys(minMessageMatch)) {
  test(`loghub ${system}: every line normalizes to a schema-valid record; messages equal Content`, (t) => {
    const logPath = `${dataDir}${system}/${system}_2k.log`;
    const csvPath = `${logPath}_structured.csv`;
    if (!existsSync(logPath) || !existsSync(csvPath)) {
      console.warn(`loghub data absent at ${dataDir}: golden test for ${system} SKIPPED`);
      t.skip(`loghub data absent at ${dataDir}`);
      return;
    }
    const lines = readFileSync(logPath, 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    const [header = [], ...rows] = parseCsv(readFileSync(csvPath, 'utf8'));
    assert.equal(rows.length, lines.length, 'one structured row per line');
    const col = (name: string): number => header.indexOf(name);
    const contentCol = col('Content');
    const levelCol = col('Level');
    const { log } = schemaValidators();
    const ctx = { receivedAt: new Date('2024-06-01T00:00:00Z') };
    let same = 0;
    const misses: string[] = [];
    lines.forEach((line, n) => {
      const r = normalizeLine(line, ctx, defaultNormalizeOptions);
      assert.ok(r.ok, `line ${n + 1} rejected: ${r.ok ? '' : r.message}: ${line}`);
      assert.equal(r.format, expectedFormat[system], `line ${n + 1} format`);
      assert.equal(log.check({ ...r.record, id: 'x', received_at: ctx.receivedAt.toISOString(), source: 'test' }), null, `line ${n + 1} schema`);
      assert.notEqual(r.record.timestamp, ctx.receivedAt.toISOString(), `line ${n + 1} timestamp comes from the line`);
      const row = rows[n] ?? [];
      if (r.record.message === row[contentCol]) same++;
      else if (misses.length < 5) misses.push(`${n + 1}: ${JSON.stringify(r.record.message)} != ${JSON.stringify(row[contentCol])}`);
      for (const [what, actual, expected] of headerChecks[system]?.(r.record, (name) => row[col(name)] ?? '') ?? []) {
        assert.deepEqual(actual, expected, `line ${n + 1} ${what}: ${line}`);
      }
      const level = levelCol >= 0 ? normalizeLevel(row[levelCol]) : null;
      if (level !== null) assert.equal(r.record.level, level, `line ${n + 1} level`);
    });
    const share = same / lines.length;
    t.diagnostic(`${system}: ${same}/${lines.length} messages equal Content (${(share * 100).toFixed(2)}%)`);
    assert.ok(share >= (minMessageMatch[system] ?? 1), `${system}: only ${(share * 100).toFixed(2)}% of messages equal Content; first misses:\n${misses.join('\n')}`);
  });
}

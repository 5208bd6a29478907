// Test support: assertQueryError, and 300 deterministic log records both in an in-memory DuckDB table and as JS
// objects, so tests can compute expected answers without the SQL under test.
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { QueryError } from '../errors.js';
import { LEVELS, type Level } from '../model/log-record.js';
import { formatEpochNs } from './time.js';

export const FIXTURE_SIZE = 300;
/** Record i is at BASE + i minutes + a few nanoseconds, so 300 records cover 00:00 to 04:59 on 2024-01-01. */
export const FIXTURE_BASE_NS = 1_704_067_200_000_000_000n;
export const FIXTURE_NOW = new Date('2024-01-01T05:00:00Z');

export const MESSAGES = [
  'GET /api/users 200 in 12ms',
  'upstream timeout after 30s',
  'Connection reset by peer',
  "user's session expired",
  'path C:\\logs\\app.log not found',
  'Ünïcødé ✓ 日本語 message',
  'payment failed: card declined; retrying',
  'TIMEOUT waiting for lock',
  'rejected query ";DROP TABLE logs;-- from client',
  'cost is $1 per unit, 100% off_peak',
] as const;
const SERVICES = ['api', 'web', 'worker', 'auth', 'api-gateway'] as const;
const HOSTS = ['web 1', 'web-2', 'db-1', null] as const;
const LEVEL_CYCLE: Level[] = ['INFO', 'INFO', 'DEBUG', 'WARN', 'INFO', 'ERROR', 'INFO', 'TRACE', 'FATAL', 'INFO', 'ERROR'];

export interface FixtureRow {
  id: string;
  epochNs: bigint;
  level: Level;
  service: string;
  message: string;
  user_id: string | null;
  ip_address: string;
  host: string | null;
  trace_id: string;
  span_id: string;
  metadata: { status: number; duration_ms: number; region: string; http: { method: string }; 'x-tag'?: string } | null;
  source: string;
  template_id: string;
  lsn: number;
}

export function fixtureRows(): FixtureRow[] {
  return Array.from({ length: FIXTURE_SIZE }, (_, i): FixtureRow => ({
    id: `r${String(i).padStart(3, '0')}`,
    epochNs: FIXTURE_BASE_NS + BigInt(i) * 60_000_000_000n + BigInt((i * 7919) % 1_000_000_000),
    level: LEVEL_CYCLE[i % LEVEL_CYCLE.length] ?? 'INFO',
    service: SERVICES[i % SERVICES.length] ?? 'api',
    message: MESSAGES[i % MESSAGES.length] ?? '',
    user_id: i % 3 === 0 ? null : `u${i % 7}`,
    ip_address: `10.0.0.${i % 9}`,
    host: HOSTS[i % HOSTS.length] ?? null,
    trace_id: `t${i % 13}`,
    span_id: `s${i}`,
    metadata: i % 6 === 5 ? null : {
      status: [200, 404, 500, 503][i % 4] ?? 200,
      duration_ms: (i * 37) % 1000,
      region: ['eu', 'us', 'ap'][i % 3] ?? 'eu',
      http: { method: i % 2 === 0 ? 'GET' : 'POST' },
      ...(i % 10 === 3 ? { 'x-tag': "it's \"quoted\" \\ $1" } : {}),
    },
    source: i % 2 === 0 ? 'http' : 'syslog',
    template_id: `tpl${i % MESSAGES.length}`,
    lsn: i + 1,
  }));
}

export interface Fixture {
  connection: DuckDBConnection;
  rows: FixtureRow[];
  close(): void;
}

/** A fresh in-memory database with the store's columns in a table named `logs`. */
export async function createFixture(): Promise<Fixture> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  await connection.run(`CREATE TABLE logs (id VARCHAR, timestamp TIMESTAMP_NS, level VARCHAR, service VARCHAR, message VARCHAR,
    user_id VARCHAR, ip_address VARCHAR, host VARCHAR, trace_id VARCHAR, span_id VARCHAR, metadata JSON,
    received_at TIMESTAMP_NS, source VARCHAR, template_id VARCHAR, lsn BIGINT)`);
  const rows = fixtureRows();
  for (const r of rows) {
    await connection.run(
      `INSERT INTO logs VALUES ($1, CAST($2 AS TIMESTAMP_NS), $3, $4, $5, $6, $7, $8, $9, $10, CAST($11 AS JSON),
        CAST($12 AS TIMESTAMP_NS), $13, $14, $15)`,
      [r.id, formatEpochNs(r.epochNs) ?? '', r.level, r.service, r.message, r.user_id, r.ip_address, r.host, r.trace_id,
        r.span_id, r.metadata === null ? null : JSON.stringify(r.metadata), formatEpochNs(r.epochNs + 1_000_000_000n) ?? '',
        r.source, r.template_id, r.lsn],
    );
  }
  return { connection, rows, close: () => { connection.closeSync(); instance.closeSync(); } };
}

export const levelRank = (level: Level): number => LEVELS.indexOf(level);

/** Asserts that `fn` throws a QueryError at `pos` whose message matches `message`. */
export function assertQueryError(fn: () => unknown, pos: number, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof QueryError, `expected a QueryError, got ${String(err)}`);
    assert.match(err.message, message);
    assert.equal(err.position, pos, `position for: ${err.message}`);
    return true;
  });
}

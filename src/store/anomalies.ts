// The anomalies table: what the detectors found, upserted by id as an anomaly opens, grows and resolves.
import type { Anomaly } from '../model/anomaly.js';
import type { LogStore, Row, SqlParam } from './log-store.js';

/** The table's name, for SQL the query compiler builds (`| anomalies`); never taken from query text. */
export const ANOMALIES_TABLE = 'anomalies';

export const ANOMALIES_DDL = `CREATE TABLE IF NOT EXISTS anomalies (anomaly_id VARCHAR PRIMARY KEY, detected_at TIMESTAMP_NS, window_start TIMESTAMP_NS,
  window_end TIMESTAMP_NS, anomaly_type VARCHAR, severity VARCHAR, service VARCHAR, description VARCHAR, score DOUBLE, confidence DOUBLE,
  evidence JSON, status VARCHAR)`;

export async function ensureAnomaliesTable(store: LogStore): Promise<void> {
  await store.exec(ANOMALIES_DDL);
}

/** Rows per INSERT statement (12 parameters each): one statement per row was the cost of a burst of anomalies. */
const UPSERT_CHUNK = 200;

/** Inserts or replaces anomalies (one transaction, parameterized, in multi-row statements; the last of an id wins). */
export async function upsertAnomalies(store: LogStore, list: readonly Anomaly[]): Promise<void> {
  if (list.length === 0) return;
  // One row per id (INSERT OR REPLACE refuses an id twice in one statement): the latest state of each.
  const latest = [...new Map(list.map((a) => [a.anomaly_id, a])).values()];
  await store.serial(async (c) => {
    await c.run('BEGIN TRANSACTION');
    try {
      for (let i = 0; i < latest.length; i += UPSERT_CHUNK) {
        const chunk = latest.slice(i, i + UPSERT_CHUNK);
        const params: SqlParam[] = [];
        const rows = chunk.map((a) => {
          const at = params.length;
          params.push(a.anomaly_id, a.detected_at, a.window_start, a.window_end, a.anomaly_type, a.severity, a.service, a.description.toWellFormed(), a.score, a.confidence, JSON.stringify(a.evidence), a.status);
          const p = (k: number) => `$${at + k}`;
          return `(${p(1)}, CAST(${p(2)} AS TIMESTAMP_NS), CAST(${p(3)} AS TIMESTAMP_NS), CAST(${p(4)} AS TIMESTAMP_NS), ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}, CAST(${p(11)} AS JSON), ${p(12)})`;
        });
        await c.run(`INSERT OR REPLACE INTO anomalies VALUES ${rows.join(', ')}`, params);
      }
      await c.run('COMMIT');
    } catch (err) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

export interface AnomalyFilter { service?: string; type?: string; severity?: string; status?: string; from?: string; to?: string; limit: number }

const ts = (col: string) => `replace(CAST(${col} AS VARCHAR), ' ', 'T') || 'Z' AS ${col}`;

/** Anomalies matching the filter, newest first; times as RFC 3339 text, evidence as an object. */
export async function listAnomalies(store: LogStore, f: AnomalyFilter): Promise<Row[]> {
  const where: string[] = [], params: SqlParam[] = [];
  const eq = (col: string, v: string | undefined) => { if (v !== undefined) { params.push(v); where.push(`${col} = $${params.length}`); } };
  eq('service', f.service); eq('anomaly_type', f.type); eq('severity', f.severity); eq('status', f.status);
  if (f.from !== undefined) { params.push(f.from); where.push(`window_end > CAST($${params.length} AS TIMESTAMP_NS)`); }
  if (f.to !== undefined) { params.push(f.to); where.push(`window_start < CAST($${params.length} AS TIMESTAMP_NS)`); }
  params.push(f.limit);
  return store.query(`SELECT anomaly_id, ${ts('detected_at')}, ${ts('window_start')}, ${ts('window_end')}, anomaly_type, severity, service, description, score, confidence, evidence, status
    FROM anomalies ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY window_start DESC, anomaly_id LIMIT $${params.length}`, params);
}

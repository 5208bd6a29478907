// Time partitions: closed days move from the hot DuckDB table to a Hive-partitioned Parquet lake; retention drops old days.
import { readdir, rename, rm, stat, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsyncPath } from './fsync.js';
import { LOG_COLUMN_NAMES } from './columns.js';
import type { LogStore } from './log-store.js';

export interface PartitionOptions {
  /** A day is sealed this many hours after it ends (late records still arrive in the grace time). */
  sealAfterHours: number;
  /** Days of data to keep; 0 keeps everything. */
  retentionDays: number;
  /** Upper bound on data directory bytes (DuckDB file + Parquet parts); 0 means no bound. */
  maxTotalBytes: number;
}

export interface PartFile { path: string; date: string; bytes: number }

const DAY_MS = 86_400_000;
const DATE_DIR = /^date=(\d{4}-\d{2}-\d{2})$/;

/** Lists the Parquet parts under `<dataDir>/parts`, oldest day first. */
export async function listParts(partsDir: string): Promise<PartFile[]> {
  const out: PartFile[] = [];
  const days = (await readdir(partsDir).catch(() => [] as string[])).filter((d) => DATE_DIR.test(d)).sort();
  for (const day of days) {
    const date = DATE_DIR.exec(day)?.[1] ?? '';
    for (const svc of await readdir(join(partsDir, day))) {
      for (const f of await readdir(join(partsDir, day, svc)).catch(() => [] as string[])) {
        if (!f.endsWith('.parquet')) continue;
        const path = join(partsDir, day, svc, f);
        out.push({ path, date, bytes: (await stat(path)).size });
      }
    }
  }
  return out;
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The SQL relation over hot rows and sealed parts; every name in it is engine-made, none from user input. */
export function relationSql(parts: readonly PartFile[]): string {
  const cols = LOG_COLUMN_NAMES.map((n) => `"${n}"`).join(', ');
  if (parts.length === 0) return 'logs';
  const files = parts.map((p) => sqlString(p.path)).join(', ');
  return `(SELECT ${cols} FROM logs UNION ALL SELECT ${cols} FROM read_parquet([${files}], hive_partitioning = true, hive_types = {'date': DATE, 'service': VARCHAR}))`;
}

/**
 * Seals every closed day still in the hot table: COPY to a staging directory, then delete the hot rows and record
 * the pending move in one transaction, then move the files into place. `recoverSeal` finishes an interrupted move.
 */
/** Hooks that keep the readers' list of parts current while maintenance runs. */
export interface PartHooks {
  /** Called after a day's files are in place (the hot rows are already gone): readers must see the new files now. */
  sealed?: () => Promise<void>;
  /** Called before a day's files are removed: readers must stop naming them first. */
  dropping?: (date: string) => void;
  /** Called when the DuckDB file and WAL alone exceed store.maxTotalBytes, so no sealed day is dropped for size. */
  overBound?: (bytes: number) => void;
}

export async function sealClosedDays(store: LogStore, now: Date, opts: PartitionOptions, hooks: PartHooks = {}): Promise<string[]> {
  const cutoff = new Date(Math.floor((now.getTime() - opts.sealAfterHours * 3_600_000) / DAY_MS) * DAY_MS);
  const rows = await store.query(
    `SELECT DISTINCT strftime(CAST(timestamp AS DATE), '%Y-%m-%d') AS d FROM logs WHERE timestamp < CAST($1 AS TIMESTAMP_NS) ORDER BY d`,
    [cutoff.toISOString()],
  );
  const sealed: string[] = [];
  for (const r of rows) {
    const day = String(r.d);
    await sealDay(store, day);
    await hooks.sealed?.();
    sealed.push(day);
  }
  return sealed;
}

async function sealDay(store: LogStore, day: string): Promise<void> {
  const staging = join(store.dir, 'parts', `.staging-${day}-${Date.now()}`);
  const cols = LOG_COLUMN_NAMES.filter((n) => n !== 'service').map((n) => `"${n}"`).join(', ');
  const next = `CAST($1 AS DATE) + INTERVAL 1 DAY`;
  await store.serial(async (c) => {
    await c.run(
      `COPY (SELECT ${cols}, service, CAST($1 AS DATE) AS date FROM logs WHERE timestamp >= CAST($1 AS DATE) AND timestamp < ${next} )
       TO ${sqlString(staging)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date, service), FILENAME_PATTERN 'part-{uuid}')`,
      [day],
    );
    // DuckDB's COPY does not fsync: the files must be on disk before the hot rows they replace are deleted.
    for (const f of await readdir(staging, { recursive: true })) {
      const path = join(staging, f);
      fsyncPath(path);
    }
    await c.run('BEGIN TRANSACTION');
    try {
      await c.run(`DELETE FROM logs WHERE timestamp >= CAST($1 AS DATE) AND timestamp < ${next}`, [day]);
      await c.run(`INSERT OR REPLACE INTO meta VALUES ('pending_seal', $1)`, [staging]);
      await c.run('COMMIT');
    } catch (err) {
      await c.run('ROLLBACK').catch(() => undefined);
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
  });
  await finishMove(store, staging);
}

async function finishMove(store: LogStore, staging: string): Promise<void> {
  const partsDir = join(store.dir, 'parts');
  // A crash after the staging directory was removed but before the meta row was: the move is already done.
  const files = await readdir(staging, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const dirs = new Set<string>();
  for (const f of files) {
    if (!f.endsWith('.parquet')) continue;
    const target = join(partsDir, f);
    await mkdir(dirname(target), { recursive: true });
    await rename(join(staging, f), target);
    dirs.add(dirname(target)).add(dirname(dirname(target)));
  }
  // The renames must be durable before the pending-seal row goes: after that, nothing would redo them.
  for (const d of [...dirs, partsDir]) fsyncPath(d);
  await rm(staging, { recursive: true, force: true });
  await store.exec(`DELETE FROM meta WHERE key = 'pending_seal'`);
}



/** Finishes a seal interrupted by a crash, and removes staging directories of seals that never committed. */
export async function recoverSeal(store: LogStore): Promise<void> {
  const pending = await store.getMeta('pending_seal');
  if (pending) await finishMove(store, pending);
  const partsDir = join(store.dir, 'parts');
  for (const d of await readdir(partsDir).catch(() => [] as string[])) {
    if (d.startsWith('.staging-')) await rm(join(partsDir, d), { recursive: true, force: true });
  }
}

/** Drops days older than the retention, then the oldest days until the data directory is under its size bound. */
export async function applyRetention(store: LogStore, now: Date, opts: PartitionOptions, hooks: PartHooks = {}): Promise<string[]> {
  const dropped: string[] = [];
  const partsDir = join(store.dir, 'parts');
  if (opts.retentionDays > 0) {
    const cutoff = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - opts.retentionDays * DAY_MS);
    const cutDay = cutoff.toISOString().slice(0, 10);
    for (const p of new Set((await listParts(partsDir)).map((x) => x.date))) {
      if (p < cutDay) { hooks.dropping?.(p); await rm(join(partsDir, `date=${p}`), { recursive: true, force: true }); dropped.push(p); }
    }
    await store.exec('DELETE FROM logs WHERE timestamp < CAST($1 AS TIMESTAMP_NS)', [cutoff.toISOString()]);
    // Dead letters age out with the same retention, by the time they were received.
    await store.exec('DELETE FROM dead_letters WHERE received_at < CAST($1 AS TIMESTAMP_NS)', [cutoff.toISOString()]);
    // So do what was derived from the records: templates last seen before the cut (the miner writes a row again if it
    // sees one later) and anomalies that ended before it.
    const derived = new Set((await store.query(`SELECT table_name FROM duckdb_tables() WHERE table_name IN ('templates', 'anomalies')`)).map((r) => String(r.table_name)));
    if (derived.has('templates')) await store.exec('DELETE FROM templates WHERE last_seen < CAST($1 AS TIMESTAMP_NS)', [cutoff.toISOString()]);
    if (derived.has('anomalies')) await store.exec('DELETE FROM anomalies WHERE window_end < CAST($1 AS TIMESTAMP_NS)', [cutoff.toISOString()]);
  }
  if (opts.maxTotalBytes > 0) {
    let parts = await listParts(partsDir);
    const fixed = async () => (await store.dbBytes()) + (await walBytes(join(store.dir, 'wal')));
    let total = (await fixed()) + parts.reduce((n, p) => n + p.bytes, 0);
    // Only sealed days can be dropped. When the database file and WAL alone are over the bound, dropping the lake
    // would not help (DuckDB gives space back only at checkpoint-on-close): keep the data and report it instead.
    if ((await fixed()) >= opts.maxTotalBytes) {
      hooks.overBound?.(await fixed());
      return dropped;
    }
    while (total > opts.maxTotalBytes && parts.length > 0) {
      const oldest = parts[0]?.date ?? '';
      hooks.dropping?.(oldest);
      await rm(join(partsDir, `date=${oldest}`), { recursive: true, force: true });
      dropped.push(oldest);
      parts = parts.filter((p) => p.date !== oldest);
      total = (await fixed()) + parts.reduce((n, p) => n + p.bytes, 0);
    }
  }
  return dropped;
}

async function walBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(dir).catch(() => [] as string[])) n += await stat(join(dir, f)).then((s) => s.size, () => 0);
  return n;
}


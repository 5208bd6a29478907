// The embedded store: a DuckDB database in the data directory, loaded from sealed WAL segments exactly once.
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { StorageError, errorMessage } from '../errors.js';
import { DEAD_LETTER_COLUMNS, LOG_COLUMNS, LOG_COLUMN_NAMES, ddlColumns, walJsonColumns } from './columns.js';
import type { Segment } from './wal.js';
import { rowsToObjects } from './rows.js';

export interface StoreOptions {
  threads: number;
  memoryLimit: string;
  /** Largest WAL line the loader must read (DuckDB's read_json maximum_object_size); default 16 MiB. */
  maxWalLineBytes?: number;
}

export type Row = Record<string, unknown>;
export type SqlParam = string | number | bigint | boolean | null;

/**
 * The store must commit a segment's records and the segment's last LSN in one transaction, so that loading
 * a segment twice (after a crash) stores nothing twice. It must never read or write outside its data directory.
 */
export class LogStore {
  private applied = 0;
  private queue: Promise<unknown> = Promise.resolve();
  readonly stats = { segmentsLoaded: 0, recordsLoaded: 0, deadLettersLoaded: 0, lastLoadMs: 0 };

  private readonly maxWalLineBytes: number;

  private constructor(
    readonly dir: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    /** A second connection for readers, so queries do not wait behind loads. */
    private readonly readConn: DuckDBConnection,
    opts: StoreOptions,
  ) {
    this.maxWalLineBytes = opts.maxWalLineBytes ?? 16 * 1024 * 1024;
  }



  static async open(dataDir: string, opts: StoreOptions, extraAllowedDirs: string[] = []): Promise<LogStore> {
    const dir = resolve(dataDir);
    await mkdir(join(dir, 'parts'), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(join(dir, 'logsift.duckdb'), { threads: String(opts.threads), memory_limit: opts.memoryLimit });
    } catch (err) {
      throw new StorageError(`cannot open the store in ${dir}: ${errorMessage(err)} (is another logsift process using this data directory?)`, { cause: err });
    }
    const conn = await instance.connect();
    const allowed = [dir, ...extraAllowedDirs.map((d) => resolve(d))].map((d) => `'${d.replaceAll("'", "''")}/'`).join(', ');
    // Defence in depth: even a query that escaped compilation cannot touch files outside the data directory.
    await conn.run(`SET allowed_directories = [${allowed}]`);
    // Sealing writes one Parquet file per service: flush each partition's buffer at one row group, and let DuckDB
    // write out of insertion order, so a seal's memory stays near the store's limit instead of buffering whole days.
    await conn.run('SET partitioned_write_flush_threshold = 65536');
    await conn.run('SET preserve_insertion_order = false');
    // Once disabled, DuckDB refuses to enable external access or widen the allowed directories while running;
    // the lock also keeps every other setting (memory, threads) as configured.
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
    await conn.run(`CREATE TABLE IF NOT EXISTS logs (${ddlColumns(LOG_COLUMNS)})`);
    await conn.run(`CREATE TABLE IF NOT EXISTS dead_letters (${ddlColumns(DEAD_LETTER_COLUMNS)})`);
    // Data directories from before a column was added get it (new columns only ever go at the end).
    for (const [name, type] of DEAD_LETTER_COLUMNS) await conn.run(`ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS "${name}" ${type}`);
    await conn.run('CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)');
    const store = new LogStore(dir, instance, conn, await instance.connect(), opts);
    store.applied = Number((await store.getMeta('applied_lsn')) ?? 0);
    return store;
  }

  /** The highest LSN whose record is committed in the store. */
  get appliedLsn(): number { return this.applied; }

  /** Runs store mutations one at a time, in call order. */
  serial<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => fn(this.conn));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Loads one sealed WAL segment; records with an LSN at or below the applied one are skipped. */
  loadSegment(seg: Segment, maxLsn: number): Promise<{ records: number; deadLetters: number }> {
    return this.serial(async (c) => {
      if (maxLsn <= this.applied) return { records: 0, deadLetters: 0 };
      const t0 = performance.now();
      try {
        const r = await this.loadFile(c, seg.path, maxLsn, seg.deadLetters);
        this.stats.segmentsLoaded++;
        this.stats.lastLoadMs = performance.now() - t0;
        return r;
      } catch (err) {
        throw new StorageError(`cannot load WAL segment ${seg.path} into the store: ${errorMessage(err)}`, { cause: err });
      }
    });
  }

  /**
   * One transaction: the file's records and dead letters above the applied LSN, and `maxLsn` as the new applied
   * LSN. Rolls back and rethrows on any error. Callers hold the serial queue.
   */
  async loadFile(c: DuckDBConnection, path: string, maxLsn: number, deadLetters: boolean): Promise<{ records: number; deadLetters: number }> {
    const src = `read_json($1, format = 'newline_delimited', columns = ${walJsonColumns()}, maximum_object_size = ${this.maxWalLineBytes})`;
    const cols = LOG_COLUMN_NAMES.map((n) => `"${n}"`).join(', ');
    const dlCols = DEAD_LETTER_COLUMNS.map(([n]) => `"${n}"`).join(', ');
    await c.run('BEGIN TRANSACTION');
    try {
      // A record's id is its LSN in base 36 (11 digits): derived here rather than carried in every WAL line.
      const select = cols.replace('"id"', `coalesce("id", lpad(lower(to_base(lsn, 36)), 11, '0'))`);
      const r = await c.run(`INSERT INTO logs (${cols}) SELECT ${select} FROM ${src} WHERE k = 'r' AND lsn > $2`, [path, this.applied]);
      // A second pass over the file only when it holds dead letters (rare): each pass parses every line.
      const d = deadLetters ? await c.run(
        `INSERT INTO dead_letters (${dlCols}) SELECT id, lsn, received_at, source, reason, error, from_base64(raw_b64), 0, NULL, service_hint, original_bytes FROM ${src} WHERE k = 'd' AND lsn > $2`,
        [path, this.applied],
      ) : { rowsChanged: 0 };
      await c.run(`INSERT OR REPLACE INTO meta VALUES ('applied_lsn', $1)`, [String(maxLsn)]);
      await c.run('COMMIT');
      this.applied = maxLsn;
      const records = Number(r.rowsChanged);
      const dls = Number(d.rowsChanged);
      this.stats.recordsLoaded += records;
      this.stats.deadLettersLoaded += dls;
      return { records, deadLetters: dls };
    } catch (err) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Moves the applied LSN forward without loading anything (the rest of a salvaged segment held no records). */
  async markApplied(c: DuckDBConnection, lsn: number): Promise<void> {
    await c.run(`INSERT OR REPLACE INTO meta VALUES ('applied_lsn', $1)`, [String(lsn)]);
    this.applied = lsn;
  }

  /** Stores one WAL line the store cannot read as a `wal_corrupt` dead letter, and moves the applied LSN past it. */
  async deadLetterWalLine(c: DuckDBConnection, lsn: number, raw: Buffer, error: string, idSuffix?: string): Promise<void> {
    await c.run('BEGIN TRANSACTION');
    try {
      await c.run(
        `INSERT INTO dead_letters (id, lsn, received_at, source, reason, error, raw, replay_count, replayed_at, service_hint, original_bytes)
         VALUES ($1, $2, CAST($3 AS TIMESTAMP_NS), 'wal_recovery', 'wal_corrupt', $4, from_base64($5), 0, NULL, NULL, $6)`,
        [`dl-wal-${lsn}${idSuffix ? `-${idSuffix}` : ''}`, lsn, new Date().toISOString(), error.toWellFormed(), raw.toString('base64'), raw.length],
      );
      await c.run(`INSERT OR REPLACE INTO meta VALUES ('applied_lsn', $1)`, [String(lsn)]);
      await c.run('COMMIT');
      this.applied = lsn;
      this.stats.deadLettersLoaded++;
    } catch (err) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Runs a read-only, parameterized statement and returns rows as JSON-safe objects. */
  async query(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    try {
      return rowsToObjects(await this.readConn.runAndReadAll(sql, params as DuckDBValue[]));
    } catch (err) {
      throw new StorageError(`cannot run query: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** Runs a mutation on the serial connection. */
  exec(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    return this.serial(async (c) => rowsToObjects(await c.runAndReadAll(sql, params as DuckDBValue[])));
  }

  async getMeta(key: string): Promise<string | undefined> {
    const rows = (await this.conn.runAndReadAll('SELECT value FROM meta WHERE key = $1', [key])).getRowObjectsJson();
    const v = rows[0]?.value;
    return typeof v === 'string' ? v : undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.exec('INSERT OR REPLACE INTO meta VALUES ($1, $2)', [key, value]);
  }

  /** Size of the database file (and DuckDB's own WAL) in bytes. */
  async dbBytes(): Promise<number> {
    let total = 0;
    for (const f of ['logsift.duckdb', 'logsift.duckdb.wal']) total += await stat(join(this.dir, f)).then((s) => s.size, () => 0);
    return total;
  }

  async checkpoint(): Promise<void> {
    await this.exec('CHECKPOINT');
  }

  async close(): Promise<void> {
    await this.queue;
    try { await this.conn.run('CHECKPOINT'); } catch { /* a failed checkpoint is redone from DuckDB's WAL on next open */ }
    this.readConn.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

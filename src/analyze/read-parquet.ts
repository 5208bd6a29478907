// Reading one Parquet partition file of a logsift lake with DuckDB: the time filter pushed down, values bound.
import { dirname, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LogsiftError, errorMessage } from '../errors.js';
import type { PartialBuilder } from './builder.js';
import type { AnalyzeSettings } from './process-chunk.js';
import type { ParquetChunk } from './plan.js';

/**
 * Streams the rows of one partition file into the builder. DuckDB is locked down as the store's is: it may read only
 * the file's directory, and no setting can be changed after. The path and the filters are bound parameters.
 */
export async function readParquetChunk(chunk: ParquetChunk, s: AnalyzeSettings, b: PartialBuilder): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    const dir = resolve(dirname(chunk.path));
    await conn.run(`SET allowed_directories = ['${dir.replaceAll("'", "''")}/']`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
    // The service comes from the partition directory (service=NAME) when the file does not hold it.
    const where: string[] = [];
    const params: string[] = [chunk.path, chunk.service ?? ''];
    if (s.from !== null) { params.push(s.from); where.push(`timestamp >= CAST($${params.length} AS TIMESTAMP_NS)`); }
    if (s.to !== null) { params.push(s.to); where.push(`timestamp < CAST($${params.length} AS TIMESTAMP_NS)`); }
    const sql = `SELECT epoch_ms(timestamp) AS ts, strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%fZ') AS iso, coalesce(level, 'INFO') AS level,
        coalesce(nullif($2, ''), service, 'unknown') AS service, coalesce(message, '') AS message, coalesce(ip_address, '') AS ip, coalesce(user_id, '') AS usr,
        CAST(metadata AS VARCHAR) AS metadata, coalesce(id, '') AS id
      FROM read_parquet($1, hive_partitioning = true, union_by_name = true)
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    const result = await conn.stream(sql, params);
    let n = 0;
    for (;;) {
      const chunkRows = await result.fetchChunk();
      if (!chunkRows || chunkRows.rowCount === 0) break;
      for (const row of chunkRows.getRows()) {
        b.line();
        n++;
        const [ts, iso, level, service, message, ip, user, metadata, id] = row as [bigint | null, string | null, string, string, string, string, string, string | null, string];
        if (ts === null || iso === null) { b.reject('invalid_timestamp'); continue; }
        let meta: Record<string, unknown> | undefined;
        if (metadata !== null) { try { const m = JSON.parse(metadata) as unknown; if (m !== null && typeof m === 'object' && !Array.isArray(m)) meta = m as Record<string, unknown>; } catch { b.reject('unparseable'); continue; } }
        b.add({ tsMs: Number(ts), timestamp: iso, service, level, message, ip, user, metadata: meta, id: id || `${chunk.path}#${n}` });
      }
    }
  } catch (err) {
    throw new LogsiftError('io_failed', `cannot read Parquet file ${chunk.path}: ${errorMessage(err)}`, { cause: err });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

// Planning a batch analysis: inputs (files, globs, a Parquet lake) expanded and cut into chunks, in a fixed order.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { ConfigError, LogsiftError, errorMessage } from '../errors.js';

/** A byte range [start, end) of a text file: a line belongs to the chunk that holds its first byte. */
export interface TextChunk { kind: 'text'; index: number; name: string; path: string; start: number; end: number; gzip: boolean; receivedAt: string }
/** One Parquet file of a lake (a partition file), with the date and service its path names, when it names them. */
export interface ParquetChunk { kind: 'parquet'; index: number; name: string; path: string; date: string | null; service: string | null }
export type Chunk = TextChunk | ParquetChunk;

export interface PlanOptions {
  /** Bytes per text chunk; a chunk's last line may run past its end. Must not depend on the worker count. */
  chunkBytes: number;
  /** Lake filters: only partitions whose date is in [fromDate, toDate] and whose service is listed (all when empty). */
  fromDate?: string;
  toDate?: string;
  services?: readonly string[];
  /** The time a line without a timestamp (or a syslog line without a year) is read against; default: its file's mtime. */
  receivedAt?: string;
}

const DATE_DIR = /^date=(\d{4}-\d{2}-\d{2})$/;
const GLOB_CHARS = /[*?[]/;

/**
 * Expands inputs in the order given (glob matches sorted, duplicates dropped) and cuts them into chunks numbered from
 * 0. The plan must depend only on the inputs and the options, so every executor processes the same chunks.
 */
export async function planChunks(inputs: readonly string[], opts: PlanOptions): Promise<Chunk[]> {
  if (!(Number.isInteger(opts.chunkBytes) && opts.chunkBytes >= 1)) throw new ConfigError('--chunk-bytes', `must be a positive integer, got ${opts.chunkBytes}`);
  if (inputs.length === 0) throw new ConfigError('--input', 'give at least one file, glob or lake directory');
  const seen = new Set<string>();
  const out: Chunk[] = [];
  for (const input of inputs) {
    for (const path of await expand(input)) {
      if (seen.has(path)) continue;
      seen.add(path);
      const st = await stat(path).catch((err: unknown) => { throw new LogsiftError('io_failed', `cannot read ${path}: ${errorMessage(err)}`, { cause: err }); });
      if (st.isDirectory()) {
        for (const p of await lakeFiles(path, opts)) if (!seen.has(p.path)) { seen.add(p.path); out.push({ ...p, index: out.length }); }
      } else if (path.endsWith('.parquet')) {
        const { date, service } = partitionOf(path);
        if (keepPartition(date, service, opts)) out.push({ kind: 'parquet', index: out.length, name: path, path, date, service });
      } else {
        const receivedAt = opts.receivedAt ?? st.mtime.toISOString();
        const gzip = path.endsWith('.gz');
        // A gzip stream cannot be entered in the middle: a compressed file is one chunk.
        const step = gzip ? Math.max(st.size, 1) : opts.chunkBytes;
        for (let start = 0; start < st.size; start += step) {
          const end = Math.min(st.size, start + step);
          out.push({ kind: 'text', index: out.length, name: `${path}[${start}-${end})`, path, start, end, gzip, receivedAt });
        }
      }
    }
  }
  return out;
}

/** A plain path as is; a glob (* ? [..] and ** for any depth) as its matches, sorted. */
async function expand(input: string): Promise<string[]> {
  if (!GLOB_CHARS.test(input)) return [resolve(input)];
  const abs = resolve(input);
  const parts = abs.split(sep);
  const firstGlob = parts.findIndex((p) => GLOB_CHARS.test(p));
  const root = parts.slice(0, firstGlob).join(sep) || sep;
  const re = globRegex(parts.slice(firstGlob).join('/'));
  const found: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of (await readdir(dir, { withFileTypes: true }).catch(() => [])).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(join(dir, e.name), r);
      else if (e.isFile() && re.test(r)) found.push(join(dir, e.name));
    }
  };
  await walk(root, '');
  if (found.length === 0) throw new LogsiftError('io_failed', `no file matches ${input}`);
  return found.sort();
}

/** The regex of a glob over /-separated relative paths: ** any depth, * and ? within one name, [..] a class. */
export function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') { re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*'; i += glob[i + 2] === '/' ? 2 : 1; }
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') { const j = glob.indexOf(']', i + 1); if (j < 0) re += '\\['; else { re += `[${glob.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`; i = j; } }
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The Parquet files of a Hive-partitioned lake (date=YYYY-MM-DD/service=NAME/*.parquet), pruned by the filters. */
async function lakeFiles(dir: string, opts: PlanOptions): Promise<Omit<ParquetChunk, 'index'>[]> {
  const days = (await readdir(dir)).filter((d) => DATE_DIR.test(d)).sort();
  if (days.length === 0) throw new ConfigError('--input', `${dir} is a directory but not a Parquet lake (no date=YYYY-MM-DD directories); give files or a glob`);
  const out: Omit<ParquetChunk, 'index'>[] = [];
  for (const day of days) {
    const date = DATE_DIR.exec(day)?.[1] ?? null;
    if (!keepPartition(date, null, opts)) continue;
    for (const svcDir of (await readdir(join(dir, day))).sort()) {
      const service = svcDir.startsWith('service=') ? decodePart(svcDir.slice('service='.length)) : null;
      if (!keepPartition(date, service, opts)) continue;
      for (const f of (await readdir(join(dir, day, svcDir)).catch(() => [] as string[])).sort()) {
        if (!f.endsWith('.parquet')) continue;
        const path = join(dir, day, svcDir, f);
        out.push({ kind: 'parquet', name: path, path, date, service });
      }
    }
  }
  return out;
}

/** DuckDB URL-escapes partition values in directory names. */
function decodePart(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

function partitionOf(path: string): { date: string | null; service: string | null } {
  const parts = path.split(sep);
  const date = parts.map((p) => DATE_DIR.exec(p)?.[1]).find((d) => d !== undefined) ?? null;
  const svc = parts.find((p) => p.startsWith('service='));
  return { date, service: svc !== undefined ? decodePart(svc.slice('service='.length)) : null };
}

function keepPartition(date: string | null, service: string | null, opts: PlanOptions): boolean {
  if (date !== null && opts.fromDate !== undefined && date < opts.fromDate) return false;
  if (date !== null && opts.toDate !== undefined && date > opts.toDate) return false;
  if (service !== null && opts.services !== undefined && opts.services.length > 0 && !opts.services.includes(service)) return false;
  return true;
}

// Reads the Loghub 2k benchmark files (raw log, structured CSV with ground truth) for golden tests and the evaluation.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOGHUB_SYSTEMS = ['Apache', 'BGL', 'Hadoop', 'HDFS', 'Linux', 'OpenSSH', 'Spark', 'Zookeeper'] as const;

export interface LoghubSystem { name: string; raw: string[]; content: string[]; eventId: string[]; template: string[] }

/** Splits CSV text (RFC 4180: quoted fields, doubled quotes, newlines inside quotes) into rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false; } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

/** The default location of the shared data, relative to the project root. */
export const defaultLoghubDir = (root = process.cwd()): string => join(root, '..', 'shared', 'data', 'loghub-2k');

export function loghubAvailable(dir: string): boolean {
  return existsSync(join(dir, 'HDFS', 'HDFS_2k.log_structured.csv'));
}

export function readLoghubSystem(dir: string, name: string): LoghubSystem {
  const base = join(dir, name, `${name}_2k.log`);
  const raw = readFileSync(base, 'utf8').split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  const rows = parseCsv(readFileSync(`${base}_structured.csv`, 'utf8'));
  const header = rows.shift() ?? [];
  const col = (n: string) => { const i = header.indexOf(n); if (i < 0) throw new Error(`cannot read ${base}_structured.csv: no ${n} column`); return i; };
  const c = col('Content'), e = col('EventId'), t = col('EventTemplate');
  const data = rows.filter((r) => r.length >= header.length);
  if (data.length !== raw.length) throw new Error(`cannot read ${name}: ${raw.length} raw lines but ${data.length} structured rows`);
  return { name, raw, content: data.map((r) => r[c] ?? ''), eventId: data.map((r) => r[e] ?? ''), template: data.map((r) => r[t] ?? '') };
}

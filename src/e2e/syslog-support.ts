// Helpers for the syslog end-to-end tests: a source's status, waiting for its messages, queries, free ports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { flush, getJson } from './harness.js';

export interface SourceRow { name: string; received: number; accepted: number; rejected: number; dropped: Record<string, number>; status?: Record<string, unknown> }

export async function sourceRow(url: string, name: string): Promise<SourceRow> {
  const r = await getJson<{ sources: SourceRow[] }>(`${url}/api/v1/sources`);
  const row = r.body.sources.find((s) => s.name === name);
  assert.ok(row, `source ${name} is listed`);
  return row;
}

export async function portOf(url: string, name: string): Promise<number> {
  const port = Number((await sourceRow(url, name)).status?.port);
  assert.ok(port > 0, `source ${name} reports its port`);
  return port;
}

/** Waits (bounded) until the source has received `n` messages (records plus rejections), then flushes. */
export async function waitReceived(url: string, name: string, n: number, ms = 20_000): Promise<SourceRow> {
  const until = Date.now() + ms;
  let row = await sourceRow(url, name);
  while (row.received < n && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    row = await sourceRow(url, name);
  }
  assert.ok(row.received >= n, `source ${name} received ${row.received} of ${n} messages: ${JSON.stringify(row)}`);
  await flush(url);
  return row;
}

export type Row = Record<string, unknown> & { metadata: Record<string, unknown> | null };

export async function rows(url: string, query: string): Promise<Row[]> {
  const r = await getJson<{ rows: Row[] }>(`${url}/api/v1/query?q=${encodeURIComponent(query)}&limit=1000`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.rows;
}

/** A port that was free a moment ago (for tools that cannot take port 0). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The path of a tool, or undefined (the caller skips loudly). */
export function tool(name: string, paths: string[]): string | undefined {
  for (const p of paths) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

export function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

// Test harness: runs the real `logsift serve` as a child process on a loopback port with a real data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export const binPath = fileURLToPath(new URL('../../bin/logsift.js', import.meta.url));

export interface RunningServer { url: string; child: ChildProcess; dataDir: string; output: () => string; stop: () => Promise<void>; kill9: () => Promise<void> }

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `logsift-${prefix}-`));
}

/** Starts a server; resolves once it listens (within 30 s), with its URL parsed from the startup log line. */
export async function startServer(dataDir: string, config: Record<string, unknown> = {}, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<RunningServer> {
  const cfgPath = join(dataDir, '..', `${dataDir.split('/').pop()}-config.yaml`);
  writeFileSync(cfgPath, stringify({ dataDir, log: { level: 'info' }, ...config }));
  const child = spawn(process.execPath, [binPath, 'serve', '--config', cfgPath, '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOGSIFT_URL: '', ...env },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 30 s; output:\n${out}`)), 30_000);
    const check = () => {
      const m = /"address":"(https?:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m?.[1]) { clearTimeout(timer); resolve(m[1]); }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code} before listening; output:\n${out}`)); });
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url, child, dataDir, output: () => out,
    stop: async () => { if (child.exitCode === null) { child.kill('SIGTERM'); await exited; } },
    kill9: async () => { child.kill('SIGKILL'); await exited; },
  };
}

export async function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try { parsed = JSON.parse(text) as Record<string, unknown>; } catch { parsed = { text }; }
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

/** Makes everything the server acknowledged queryable now. */
export async function flush(url: string): Promise<void> {
  const res = await fetch(`${url}/api/v1/admin/flush`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`flush failed: ${res.status} ${await res.text()}`);
}

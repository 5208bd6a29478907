// `some-app | logsift ingest -` with a real pipe from an app that writes slowly and keeps the pipe open: lines are
// stored within a bounded delay, not at EOF; with --multiline-start a stack trace is one record.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { binPath, flush, getJson, startServer, tempDir, type RunningServer } from './harness.js';

let server: RunningServer;
before(async () => { server = await startServer(join(tempDir('collect-stdin'), 'data'), { wal: { flushIntervalMs: 100 } }); });
after(async () => { await server.stop(); });

/** `node -e <app> | logsift ingest - ...` through bash: a real OS pipe between two processes. */
function pipeline(app: string, args: string[]): ChildProcess {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = `${q(process.execPath)} -e ${q(app)} | ${q(process.execPath)} ${q(binPath)} ingest - --url ${q(server.url)} ${args.map(q).join(' ')}`;
  return spawn('bash', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function rows(q: string): Promise<Record<string, unknown>[]> {
  await flush(server.url);
  return (await getJson<{ rows: Record<string, unknown>[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent(q)}&limit=1000`)).body.rows;
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) return -1;
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

test('a slow writer on an open pipe: its lines are stored while the pipe is still open (sent after --flush-ms of quiet)', { timeout: 90_000 }, async () => {
  // Five lines 200 ms apart, then the app stays alive (the pipe stays open) for 90 s.
  const app = `let i = 0; const t = setInterval(() => { console.log(JSON.stringify({ level: 'info', service: 'slowpipe', message: 'tick ' + i })); if (++i === 5) clearInterval(t); }, 200); setTimeout(() => {}, 90000);`;
  const child = pipeline(app, ['--quiet']);
  try {
    const took = await until(async () => (await rows('service:slowpipe')).length === 5, 45_000);
    assert.ok(took >= 0, 'the 5 lines are stored while the pipe is open');
    process.stderr.write(`slow pipe: 5 lines (written over 0.8 s) stored ${took} ms after the pipeline started\n`);
    assert.equal(child.exitCode, null, 'ingest is still running: the lines went out before EOF');
    assert.deepEqual((await rows('service:slowpipe')).map((r) => r.message).sort(), ['tick 0', 'tick 1', 'tick 2', 'tick 3', 'tick 4']);
  } finally { child.kill('SIGTERM'); }
});

test('--multiline-start: a stack trace is one record, with the level and timestamp of its first line', { timeout: 60_000 }, async () => {
  const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const lines = [
    `${day} 03:04:05,006 INFO [main] app - started`,
    `${day} 03:04:06,007 ERROR [main] app - request failed`,
    'java.lang.NullPointerException: x is null',
    '\tat com.example.A.b(A.java:10)',
    '\tat com.example.A.c(A.java:20)',
    `${day} 03:04:07,008 WARN [main] app - retrying`,
  ];
  const app = `process.stdout.write(${JSON.stringify(lines.join('\n') + '\n')});`;
  const child = pipeline(app, ['--service', 'mlpipe', '--multiline-start', '^\\d{4}-\\d{2}-\\d{2} ']);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise((r) => child.once('exit', r));
  assert.match(out, /accepted 3, rejected 0/);
  const got = await rows('service:mlpipe | sort timestamp asc');
  assert.deepEqual(got.map((r) => [r.level, r.message, new Date(String(r.timestamp)).toISOString()]), [
    ['INFO', 'app - started', `${day}T03:04:05.006Z`],
    ['ERROR', 'app - request failed\njava.lang.NullPointerException: x is null\n\tat com.example.A.b(A.java:10)\n\tat com.example.A.c(A.java:20)', `${day}T03:04:06.007Z`],
    ['WARN', 'app - retrying', `${day}T03:04:07.008Z`],
  ]);
});

test('a text-records body whose frame runs past its end is a 400 and one unparseable dead letter', { timeout: 30_000 }, async () => {
  const res = await fetch(`${server.url}/api/v1/logs`, { method: 'POST', body: Buffer.from([0, 0, 0, 50, 0x61]), headers: { 'content-type': 'application/x-logsift-text-records' } });
  const body = (await res.json()) as { error: { message: string } };
  assert.equal(res.status, 400);
  assert.match(body.error.message, /cannot decode the text records body: cannot decode text records: the record at byte 0 claims 50 bytes/);
  const dl = await getJson<{ counts: Record<string, number> }>(`${server.url}/api/v1/dlq?reason=unparseable`);
  assert.equal(dl.body.counts.unparseable, 1);
});

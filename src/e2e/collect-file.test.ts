// The file source end to end: a real server follows a log file while a writer appends to it, the test rotates it
// (rename, and copytruncate) and restarts logsift (SIGTERM, and once kill -9); every line arrives, once (a kill -9 may
// repeat the one batch acknowledged but not yet in the checkpoint).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flush, getJson, startServer, tempDir, type RunningServer } from './harness.js';

type Row = Record<string, unknown>;

test('file source: rotation by rename and copytruncate, SIGTERM and kill -9 restarts; no line lost, none repeated but one batch at the kill -9, a stack trace one record', { timeout: 240_000 }, async () => {
  const root = tempDir('collect-file');
  const logs = join(root, 'logs');
  mkdirSync(join(logs, 'copies'), { recursive: true });
  const dataDir = join(root, 'data');
  const file = join(logs, 'app.log');
  writeFileSync(file, '');
  const config = {
    wal: { flushIntervalMs: 100 },
    query: { maxLimit: 100000 },
    sources: [{
      type: 'file', name: 'applogs', include: [join(logs, 'app.log*')], pollIntervalMs: 50, scanIntervalMs: 100, rotateWaitMs: 300,
      serviceFromPath: '/(?<service>[a-z]+)\\.log', multiline: { startPattern: '^(\\{|\\d{4}-)', timeoutMs: 300 },
    }],
  };
  let seq = 0;
  const t0 = Date.now() - 60_000;
  const line = (n: number) => (n % 5 === 4
    ? `${new Date(t0 + n).toISOString().replace('T', ' ').replace('Z', '')} WARN [w-${n % 3}] plain seq=${n}\n`
    : `${JSON.stringify({ timestamp: new Date(t0 + n).toISOString(), level: 'info', message: `line ${n}`, seq: n, host: `h${n % 3}`, trace_id: `t${n}` })}\n`);
  const write = (n: number) => { let s = ''; for (let i = 0; i < n; i++) s += line(seq++); appendFileSync(file, s); };

  let server: RunningServer = await startServer(dataDir, config);
  const query = async (q: string) => {
    await flush(server.url);
    const r = await getJson<{ rows: Row[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent(q)}&limit=100000`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.rows;
  };
  const stored = async () => Number(Object.values((await query('service:app | stats count()'))[0] ?? {})[0] ?? 0);
  const caughtUp = async (n: number) => {
    const until = Date.now() + 30_000;
    let got = -1;
    while (Date.now() < until) {
      got = await stored();
      if (got >= n) return got;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`${got} of ${n} records stored after 30 s; server output:\n${server.output().slice(-3000)}`);
  };
  // A writer appending 20 lines every 10 ms while the test does something.
  const writing = async (ms: number, during?: () => Promise<void>) => {
    let on = true;
    const w = (async () => { while (on) { write(20); await new Promise((r) => setTimeout(r, 10)); } })();
    await new Promise((r) => setTimeout(r, ms / 2));
    await during?.();
    await new Promise((r) => setTimeout(r, ms / 2));
    on = false;
    await w;
  };
  let dupRange = 0;
  try {
    await writing(600);
    // Rotation by rename (app.log.1 still matches the glob: followed as the same file), then a new app.log.
    await writing(600, async () => { renameSync(file, `${file}.1`); writeFileSync(file, ''); });
    await writing(300, async () => { await server.stop(); });
    // While down: more lines, and a rotation.
    write(200);
    renameSync(file, `${file}.2`);
    write(200);
    server = await startServer(dataDir, config);
    await writing(400);
    // copytruncate: lines still unread when the file is cut would only be in the copy (which is not followed), so the
    // copy is taken once logsift has caught up, as logrotate's copytruncate with a short delay would be.
    await caughtUp(seq);
    copyFileSync(file, join(logs, 'copies', 'app.log.c1'));
    truncateSync(file, 0);
    const killedAt: [number, number] = [seq, 0];
    await writing(600);
    await writing(300, async () => { await server.kill9(); });
    killedAt[1] = seq;
    write(300);
    server = await startServer(dataDir, config);
    await writing(300);
    const trace = `${new Date(t0 + seq).toISOString()} ERROR [main] com.example.Job - job failed seq=${seq}\njava.lang.IllegalStateException: bad state\n\tat com.example.Job.run(Job.java:42)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)\n`;
    appendFileSync(file, trace);
    const traceSeq = seq++;
    write(5);
    const total = seq;
    await caughtUp(total);
    await new Promise((r) => setTimeout(r, 500));
    const rows = await query('service:app | stats count() by (seq)');
    const counts = new Map<number, number>();
    for (const r of rows) if (r.seq !== null && r.seq !== undefined) counts.set(Number(r.seq), Number(r['count()'] ?? r.count));
    const plain = await query('service:app plain | stats count()');
    const plainCount = Number(Object.values(plain[0] ?? {})[0]);
    const missing: number[] = [];
    const twice: number[] = [];
    for (let n = 0; n < total; n++) {
      if (n % 5 === 4 || n === traceSeq) continue; // plain lines and the trace carry seq in the message
      const c = counts.get(n) ?? 0;
      if (c === 0) missing.push(n);
      if (c > 1) twice.push(n);
    }
    assert.deepEqual(missing, [], 'no line is lost');
    // kill -9 between a batch's acknowledgement and the checkpoint write may repeat that one batch, no more.
    if (twice.length > 0) {
      const lo = twice[0] ?? 0;
      const hi = twice.at(-1) ?? 0;
      dupRange = hi - lo + 1;
      const between = Array.from({ length: dupRange }, (_, i) => lo + i).filter((n) => n % 5 !== 4 && n !== traceSeq);
      assert.deepEqual(twice, between, 'duplicates form one contiguous run (one batch)');
      assert.ok(lo >= killedAt[0] && hi < killedAt[1], `duplicates ${lo}..${hi} are lines written around the kill -9 (${killedAt.join('..')})`);
    }
    const plainExpected = Array.from({ length: total }, (_, n) => n).filter((n) => n % 5 === 4 && n !== traceSeq).length;
    assert.ok(plainCount >= plainExpected && plainCount <= plainExpected + Math.ceil(dupRange / 4) + 1, `plain lines: ${plainCount} of ${plainExpected}`);

    const one = (await query('service:app seq:7'))[0];
    assert.ok(one, 'seq 7 is stored');
    assert.equal(one.message, 'line 7');
    assert.equal(one.level, 'INFO');
    assert.equal(one.host, 'h1');
    assert.equal(one.trace_id, 't7');
    assert.equal(new Date(String(one.timestamp)).getTime(), t0 + 7);
    const p = (await query('service:app "seq=9"')).find((r) => r.message === 'plain seq=9');
    assert.equal(p?.level, 'WARN');
    assert.equal(p?.message, 'plain seq=9');
    assert.equal(new Date(String(p?.timestamp)).getTime(), t0 + 9);
    const traces = await query('service:app "job failed"');
    assert.equal(traces.length, 1, 'the stack trace is one record');
    assert.equal(traces[0]?.level, 'ERROR');
    assert.equal(traces[0]?.message, `job failed seq=${traceSeq}\njava.lang.IllegalStateException: bad state\n\tat com.example.Job.run(Job.java:42)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)`);
    const src = await getJson<{ sources: Row[] }>(`${server.url}/api/v1/sources`);
    const applogs = src.body.sources.find((s) => s.name === 'applogs');
    assert.equal(applogs?.type, 'file');
  } finally {
    await server.stop();
  }
  if (dupRange > 0) process.stderr.write(`collect-file e2e: kill -9 repeated one batch of ${dupRange} lines\n`);
});

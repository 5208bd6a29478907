// The file source end to end: a real server follows a log file while a writer appends to it, the test rotates it
// (rename, and copytruncate) and restarts logsift (SIGTERM, and once kill -9); every line arrives exactly once, also
// across the kill -9 (the batch in flight then is settled from the checkpoint's intent and the store).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../config.js';
import { Engine } from '../pipeline.js';
import { flush, getJson, startServer, tempDir, type RunningServer } from './harness.js';

type Row = Record<string, unknown>;

test('file source: rotation by rename and copytruncate, SIGTERM and kill -9 restarts; every line exactly once, a stack trace one record', { timeout: 240_000 }, async () => {
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
    await writing(600);
    await writing(300, async () => { await server.kill9(); });
    write(300);
    server = await startServer(dataDir, config);
    const settled = /the batch in flight at the last stop was (not )?stored/.exec(server.output());
    process.stderr.write(`collect-file e2e: after the kill -9, ${settled ? settled[0] : 'no batch was in flight'}\n`);
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
    assert.deepEqual(twice, [], 'no line is stored twice, also across the kill -9');
    const plainExpected = Array.from({ length: total }, (_, n) => n).filter((n) => n % 5 === 4 && n !== traceSeq).length;
    assert.equal(plainCount, plainExpected, 'plain lines: each once');

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
});

test('storedAfter: a source learns whether its records or dead letters are stored past an LSN, in the hot table and in sealed parts', { timeout: 60_000 }, async () => {
  const NOW = new Date('2026-01-05T12:00:00Z');
  const config = resolveConfig({ dataDir: join(tempDir('stored-after'), 'data'), store: { retentionDays: 30, sealAfterHours: 1 }, log: { level: 'warn' } });
  const engine = await Engine.open(config, { now: () => NOW });
  // No server here: the intake workers and the write path's timers do not hold the event loop open on their own.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    const a = engine.sourceContext({ name: 'a', type: 'file' });
    const b = engine.sourceContext({ name: 'b', type: 'file' });
    const start = a.lastLsn();
    assert.equal(await a.storedAfter(start), false);
    // Source a: one record of two days ago (sealed into a part below); b: a record and a dead letter later.
    await a.ingest({ format: 'lines', body: Buffer.from(`${JSON.stringify({ timestamp: '2026-01-03T10:00:00Z', message: 'old' })}\n`) });
    const afterA = a.lastLsn();
    assert.ok(afterA > start);
    await b.ingest({ format: 'lines', body: Buffer.from('{"timestamp":"2026-01-05T11:00:00Z","message":"b"}\n') });
    const afterB1 = b.lastLsn();
    await b.ingest({ format: 'lines', body: Buffer.from('{"unterminated\n') });
    await engine.flush();
    assert.ok((await engine.maintain()).sealed.includes('2026-01-03'), 'the old day is sealed');
    assert.equal(await a.storedAfter(start), true, "a's record, now in a Parquet part");
    assert.equal(await a.storedAfter(afterA), false, "b's writes are not a's");
    assert.equal(await b.storedAfter(afterA), true);
    assert.equal(await b.storedAfter(afterB1), true, "b's dead letter");
    assert.equal(await b.storedAfter(b.lastLsn()), false);
  } finally { await engine.close(); clearInterval(keepAlive); }
});

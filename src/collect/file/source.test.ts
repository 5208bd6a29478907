import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync, writeSync, closeSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeContext, fileOptions, startFileSource, waitFor } from './test-support.js';

const dir = () => mkdtempSync(join(tmpdir(), 'logsift-file-'));
const lines = (from: number, n: number, tag = 'l') => Array.from({ length: n }, (_, i) => `${tag} ${from + i}\n`).join('');
const texts = (got: { text: string }[]) => got.map((g) => g.text);

test('follows a file: existing lines, appended lines; a last line without newline waits for it', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, lines(0, 3));
  const { ctx, got } = fakeContext(join(d, 'state'));
  const s = await startFileSource(fileOptions({ include: [f] }), ctx);
  try {
    await waitFor(() => got.length === 3, '3 lines');
    appendFileSync(f, 'l 3\nl 4 partial');
    await waitFor(() => got.length === 4, '4 lines');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(got.length, 4, 'the partial line is not read yet');
    appendFileSync(f, ' done\r\n');
    await waitFor(() => got.length === 5, '5 lines');
    assert.deepEqual(texts(got), ['l 0', 'l 1', 'l 2', 'l 3', 'l 4 partial done']);
  } finally { await s.stop(); }
});

test('partialLineTimeoutMs sends a last line without newline after that quiet time', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, 'a\nb');
  const { ctx, got } = fakeContext(join(d, 'state'));
  const s = await startFileSource(fileOptions({ include: [f], partialLineTimeoutMs: 100 }), ctx);
  try {
    await waitFor(() => got.length === 2, 'the partial line after its timeout');
    appendFileSync(f, '\nc\n');
    await waitFor(() => got.length === 3, 'the next line');
    assert.deepEqual(texts(got), ['a', 'b', 'c'], 'the newline that ends the sent line adds no blank record');
  } finally { await s.stop(); }
});

test('rotation by rename: the old file is read to its end (late writes too), the new one from its start', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, lines(0, 5));
  const { ctx, got } = fakeContext(join(d, 'state'));
  const s = await startFileSource(fileOptions({ include: [f] }), ctx);
  try {
    await waitFor(() => got.length === 5, 'first lines');
    const fd = openSync(f, 'a');
    renameSync(f, `${f}.1`);
    writeFileSync(f, lines(100, 3)); // the new file
    writeSync(fd, lines(5, 2)); // the app still writes to the old one for a moment
    writeSync(fd, 'l 7 without newline');
    closeSync(fd);
    await waitFor(() => got.length === 11, 'all lines of both files', 4000);
    assert.deepEqual(texts(got).sort(), [...texts(got)].sort());
    assert.deepEqual(new Set(texts(got)), new Set(['l 0', 'l 1', 'l 2', 'l 3', 'l 4', 'l 5', 'l 6', 'l 7 without newline', 'l 100', 'l 101', 'l 102']));
    assert.equal((s.status().rotations as number), 1);
  } finally { await s.stop(); }
});

test('copytruncate: after the truncation the file is read again from 0', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, lines(0, 50));
  const { ctx, got } = fakeContext(join(d, 'state'));
  const s = await startFileSource(fileOptions({ include: [f] }), ctx);
  try {
    await waitFor(() => got.length === 50, 'first lines');
    copyFileSync(f, `${f}.1`);
    truncateSync(f, 0);
    appendFileSync(f, lines(50, 2));
    await waitFor(() => got.length === 52, 'lines after the truncation');
    assert.deepEqual(texts(got).slice(50), ['l 50', 'l 51']);
    assert.equal(s.status().truncations, 1);
  } finally { await s.stop(); }
});

test('a glob picks up new files; exclude and a service from the path apply', async () => {
  const d = dir();
  writeFileSync(join(d, 'api.log'), lines(0, 2, 'api'));
  writeFileSync(join(d, 'api.log.gz'), 'not text\n');
  const { ctx, got } = fakeContext(join(d, 'state'));
  const s = await startFileSource(fileOptions({ include: [join(d, '*.log*')], exclude: ['**/*.gz'], serviceFromPath: '/(?<service>[^/.]+)\\.log' }), ctx);
  try {
    await waitFor(() => got.length === 2, 'api lines');
    writeFileSync(join(d, 'worker.log'), lines(0, 1, 'worker'));
    await waitFor(() => got.length === 3, 'the new file');
    assert.deepEqual(got, [{ text: 'api 0', service: 'api' }, { text: 'api 1', service: 'api' }, { text: 'worker 0', service: 'worker' }]);
  } finally { await s.stop(); }
});

test('a restart resumes at the checkpoint: nothing lost, nothing repeated; startAt end applies only at the first start', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, lines(0, 10));
  const state = join(d, 'state');
  const a = fakeContext(state);
  let s = await startFileSource(fileOptions({ include: [f], startAt: 'end' }), a.ctx);
  await new Promise((r) => setTimeout(r, 100));
  appendFileSync(f, lines(10, 2));
  await waitFor(() => a.got.length === 2, 'lines after the start');
  await s.stop();
  appendFileSync(f, lines(12, 3)); // written while down
  const b = fakeContext(state);
  s = await startFileSource(fileOptions({ include: [f], startAt: 'end' }), b.ctx);
  try {
    await waitFor(() => b.got.length === 3, 'lines written while down');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(texts(a.got).concat(texts(b.got)), ['l 10', 'l 11', 'l 12', 'l 13', 'l 14']);
    const cp = JSON.parse(readFileSync(join(state, 'checkpoint.json'), 'utf8')) as { files: { offset: number }[] };
    assert.equal(cp.files[0]?.offset, readFileSync(f).length);
  } finally { await s.stop(); }
});

test('a saved position whose fingerprint does not match (inode reused by a new file) reads the file from 0', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, lines(0, 4));
  const state = join(d, 'state');
  const a = fakeContext(state);
  let s = await startFileSource(fileOptions({ include: [f] }), a.ctx);
  await waitFor(() => a.got.length === 4, 'first lines');
  await s.stop();
  // Same inode, other content of at least the same length: what a reused inode looks like.
  writeFileSync(f, lines(0, 4, 'n'));
  appendFileSync(f, lines(4, 1, 'n'));
  const b = fakeContext(state);
  s = await startFileSource(fileOptions({ include: [f] }), b.ctx);
  try {
    await waitFor(() => b.got.length === 5, 'the new file from its start');
    assert.equal(b.got[0]?.text, 'n 0');
    assert.equal(s.status().inodeReused, 1);
  } finally { await s.stop(); }
});

test('multiline: a record starts at startPattern; continuation lines join it; the last one goes after timeoutMs', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  const trace = '2024-05-01 12:00:01 ERROR boom\njava.lang.RuntimeException: bad\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)';
  writeFileSync(f, `2024-05-01 12:00:00 INFO start\n${trace.replace(/\n/g, '\r\n')}\r\n`);
  const { ctx, got } = fakeContext(join(d, 'state'));
  const s = await startFileSource(fileOptions({ include: [f], multiline: { startPattern: '^\\d{4}-\\d{2}-\\d{2} ', negate: false, maxLines: 500, maxBytes: 65536, timeoutMs: 100 } }), ctx);
  try {
    await waitFor(() => got.length === 2, 'both records (the last after the timeout)');
    assert.deepEqual(texts(got), ['2024-05-01 12:00:00 INFO start', trace]);
    appendFileSync(f, '2024-05-01 12:00:02 INFO a\n  more\n2024-05-01 12:00:03 INFO b\n');
    await waitFor(() => got.length === 4, 'two more');
    assert.deepEqual(texts(got).slice(2), ['2024-05-01 12:00:02 INFO a\n  more', '2024-05-01 12:00:03 INFO b']);
  } finally { await s.stop(); }
});

test('multiline maxLines splits a long record; a stop and restart mid-record rebuilds it whole', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, 'S one\n c1\n c2\n c3\nS two\n d1\n');
  const state = join(d, 'state');
  const ml = { startPattern: '^S ', negate: false, maxLines: 3, maxBytes: 65536, timeoutMs: 60_000 };
  const a = fakeContext(state);
  let s = await startFileSource(fileOptions({ include: [f], multiline: ml }), a.ctx);
  await waitFor(() => a.got.length === 2, 'the first record in two parts');
  await new Promise((r) => setTimeout(r, 100));
  await s.stop(); // "S two" is pending (its timeout is long): not sent, not checkpointed
  appendFileSync(f, ' d2\nS three\n');
  const b = fakeContext(state);
  s = await startFileSource(fileOptions({ include: [f], multiline: ml }), b.ctx);
  try {
    await waitFor(() => b.got.length === 1, 'the record that was pending at the stop');
    assert.deepEqual(texts(a.got), ['S one\n c1\n c2', ' c3']);
    assert.deepEqual(texts(b.got), ['S two\n d1\n d2']);
  } finally { await s.stop(); }
});

test('a crash with a batch in flight (kill -9): the intent saved before it and the store settle it, both ways, exactly once', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  const n = 3000;
  writeFileSync(f, lines(0, n)); // ~22 KB: several batches of readBytes 4096
  const state = join(d, 'state');
  const cpPath = join(state, 'checkpoint.json');
  const a = fakeContext(state);
  // What is on disk while the third batch is in flight, and the lines stored before and after it.
  let snapshot = '';
  let before = -1;
  let after = -1;
  let lsnBefore = -1;
  let batches = 0;
  const ctx = {
    ...a.ctx,
    ingest: async (b: Parameters<typeof a.ctx.ingest>[0]) => {
      const k = batches++;
      if (k === 2) { snapshot = readFileSync(cpPath, 'utf8'); before = a.got.length; lsnBefore = a.ctx.lastLsn(); }
      const r = await a.ctx.ingest(b);
      if (k === 2) after = a.got.length;
      return r;
    },
  };
  const s = await startFileSource(fileOptions({ include: [f], readBytes: 4096 }), ctx);
  try { await waitFor(() => a.got.length === n, 'every line'); } finally { await s.stop(); }
  assert.ok(batches > 3 && after > before && before > 0, `batches ${batches}, third batch lines ${before}..${after}`);
  const intent = JSON.parse(snapshot) as { files: { offset: number }[]; pending?: { from: number; to: number; afterLsn: number } };
  const p = intent.pending;
  assert.ok(p, 'the intent is on disk before the batch is sent');
  assert.equal(p.afterLsn, lsnBefore, 'with the last LSN handed out before it');
  assert.equal(intent.files[0]?.offset, p.from, "the file's offset is the batch's start");
  const bytesOf = (k: number) => Buffer.byteLength(lines(0, k));
  assert.deepEqual([p.from, p.to], [bytesOf(before), bytesOf(after)], 'the batch is bytes [from, to)');
  assert.doesNotMatch(readFileSync(cpPath, 'utf8'), /pending/, 'a clean stop clears the intent');
  for (const landed of [true, false]) {
    // The crash: the checkpoint as it was while the batch was in flight; the store knows whether the batch landed.
    writeFileSync(cpPath, snapshot);
    const b = fakeContext(state, { storedAfter: () => landed });
    const s2 = await startFileSource(fileOptions({ include: [f], readBytes: 4096 }), b.ctx);
    const from = landed ? after : before;
    try {
      await waitFor(() => b.got.length === n - from, `the lines after ${from}`);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(b.asked, [p.afterLsn], 'the store is asked once, about the LSNs after the intent');
      assert.deepEqual(texts(a.got.slice(0, from).concat(b.got)), texts(a.got), `landed ${String(landed)}: every line exactly once`);
    } finally { await s2.stop(); }
    assert.doesNotMatch(readFileSync(cpPath, 'utf8'), /pending/, 'settled');
  }
});

test('a line over maxLineBytes: its head is sent as a cut record, the rest skipped; nothing hangs', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, `short\n${'x'.repeat(20_000)}\nafter\n`);
  const { ctx, got, dropped } = fakeContext(join(d, 'state'));
  const s = await startFileSource(fileOptions({ include: [f], readBytes: 4096, maxLineBytes: 5000 }), ctx);
  try {
    await waitFor(() => got.length === 3, 'three records');
    assert.deepEqual(got.map((g) => [g.text.length, g.cut ?? false]), [[5, false], [5000, true], [5, false]]);
    assert.equal(got[2]?.text, 'after');
    assert.equal(dropped.line_cut, 1);
  } finally { await s.stop(); }
});

test('a failed ingest (the write path broke) is retried from the durable offset, without duplicates', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, lines(0, 3));
  let failures = 1;
  const { ctx, got } = fakeContext(join(d, 'state'), { fail: () => failures-- > 0 });
  const s = await startFileSource(fileOptions({ include: [f] }), ctx);
  try {
    await waitFor(() => got.length === 3, 'the lines after the retry', 5000);
    assert.deepEqual(texts(got), ['l 0', 'l 1', 'l 2']);
  } finally { await s.stop(); }
});

test('a deleted file that was followed is read to its end and closed', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, lines(0, 2));
  const { ctx, got } = fakeContext(join(d, 'state'));
  const s = await startFileSource(fileOptions({ include: [f] }), ctx);
  try {
    await waitFor(() => got.length === 2, 'lines');
    unlinkSync(f);
    await waitFor(() => s.status().openFiles === 0, 'the file closed');
  } finally { await s.stop(); }
});

test('an idle file is closed (its position kept) and opened again when it grows; maxOpenFiles defers the others', async () => {
  const d = dir();
  writeFileSync(join(d, 'a.log'), lines(0, 1, 'a'));
  writeFileSync(join(d, 'b.log'), lines(0, 1, 'b'));
  const { ctx, got } = fakeContext(join(d, 'state'));
  const s = await startFileSource(fileOptions({ include: [join(d, '*.log')], closeIdleMs: 150, maxOpenFiles: 1 }), ctx);
  try {
    await waitFor(() => got.length === 2, 'both files, one after the other');
    await waitFor(() => s.status().openFiles === 0, 'both closed when idle');
    assert.equal(s.status().idleFiles, 2);
    appendFileSync(join(d, 'a.log'), lines(1, 1, 'a'));
    await waitFor(() => got.length === 3, 'the grown file, opened again');
    assert.deepEqual(texts(got).sort(), ['a 0', 'a 1', 'b 0']);
  } finally { await s.stop(); }
});

test('ignoreOlderThanMs skips files not modified for that long', async () => {
  const d = dir();
  const old = join(d, 'old.log');
  writeFileSync(old, 'old\n');
  const { utimesSync } = await import('node:fs');
  utimesSync(old, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
  writeFileSync(join(d, 'new.log'), 'new\n');
  const { ctx, got } = fakeContext(join(d, 'state'));
  const s = await startFileSource(fileOptions({ include: [join(d, '*.log')], ignoreOlderThanMs: 60_000 }), ctx);
  try {
    await waitFor(() => got.length === 1, 'the new file');
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(texts(got), ['new']);
  } finally { await s.stop(); }
});

test('while the write path is overloaded nothing is read; reading resumes after', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, lines(0, 3));
  let busy: string | undefined = 'wal_bytes';
  const { ctx, got } = fakeContext(join(d, 'state'), { overloaded: () => busy });
  const s = await startFileSource(fileOptions({ include: [f] }), ctx);
  try {
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(got.length, 0);
    busy = undefined;
    await waitFor(() => got.length === 3, 'lines after the overload');
  } finally { await s.stop(); }
});

test('bad options stop the start naming the key', async () => {
  const { buildSources } = await import('../registry.js');
  await import('./source.js');
  assert.throws(() => buildSources([{ type: 'file', include: ['relative/*.log'] }]), /sources\.0\.include\.0/);
  assert.throws(() => buildSources([{ type: 'file', include: ['/x/*.log'], serviceFromPath: '/x/[^/]+' }]), /capture group/);
  assert.throws(() => buildSources([{ type: 'file', include: ['/x/*.log'], multiline: { startPattern: '(' } }]), /multiline\.startPattern/);
  assert.throws(() => buildSources([{ type: 'file', include: ['/x/*.log'], tail: true }]), /unknown key/);
  assert.throws(() => buildSources([{ type: 'file', name: 'http', include: ['/x/*.log'] }]), /sources\.0\.name.*own writers/, 'a name logsift writes under itself');
  assert.equal(buildSources([{ type: 'file', include: ['/x/*.log'] }]).length, 1);
});

test('truncated and written again past the read offset between two polls: the changed head shows it', async () => {
  const d = dir();
  const f = join(d, 'app.log');
  writeFileSync(f, lines(0, 3, 'old'));
  const { ctx, got } = fakeContext(join(d, 'state'));
  const s = await startFileSource(fileOptions({ include: [f], pollIntervalMs: 300 }), ctx);
  try {
    await waitFor(() => got.length === 3, 'first lines');
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(f, lines(0, 6, 'new')); // in one step: longer than before, other head
    await waitFor(() => got.length === 9, 'the new content from its start');
    assert.deepEqual(texts(got).slice(3), ['new 0', 'new 1', 'new 2', 'new 3', 'new 4', 'new 5']);
  } finally { await s.stop(); }
});

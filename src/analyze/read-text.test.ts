// Line-aligned chunks: every line of a file is read exactly once, by the chunk holding its first byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readChunkLines, type ChunkLine } from './read-text.js';
import { planChunks } from './plan.js';

async function linesOf(path: string, chunkBytes: number, max = 1 << 16): Promise<ChunkLine[]> {
  const out: ChunkLine[] = [];
  for (const c of await planChunks([path], { chunkBytes })) {
    assert.equal(c.kind, 'text');
    if (c.kind === 'text') for await (const l of readChunkLines(c, max)) out.push(l);
  }
  return out;
}

test('every line is read once whatever the chunk size, with its byte offset (LF, CRLF, no final newline, empty lines)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'logsift-chunks-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const lines = ['first', '', 'a much longer line with some words in it', 'é ü 日本語 multibyte', 'x', '', '', 'last one'];
  for (const [name, text] of [['lf', `${lines.join('\n')}\n`], ['crlf', `${lines.join('\r\n')}\r\n`], ['nofinal', lines.join('\n')]] as const) {
    const path = join(dir, `${name}.log`);
    await writeFile(path, text);
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 5, 7, 16, 41, 1000]) {
      const got = await linesOf(path, size);
      assert.deepEqual(got.map((l) => l.text), lines, `${name}, chunks of ${size} bytes`);
      for (const l of got) assert.equal(bytes.subarray(l.offset, l.offset + Buffer.byteLength(l.text)).toString(), l.text);
    }
  }
});

test('a line longer than the limit is reported, not buffered; bad UTF-8 is reported, not replaced', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'logsift-chunks-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'x.log');
  await writeFile(path, Buffer.concat([Buffer.from(`ok\n${'y'.repeat(5000)}\n`), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('after\n')]));
  for (const size of [3, 100, 100_000]) {
    const got = await linesOf(path, size, 100);
    assert.deepEqual(got.map((l) => l.bad ?? l.text), ['ok', 'line_too_long', 'invalid_utf8', 'after'], `chunks of ${size}`);
  }
});

test('a gzip file is one chunk, read whole', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'logsift-chunks-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'x.log.gz');
  await writeFile(path, gzipSync('a\nb\nc\n'));
  const chunks = await planChunks([path], { chunkBytes: 2 });
  assert.equal(chunks.length, 1);
  assert.deepEqual((await linesOf(path, 2)).map((l) => l.text), ['a', 'b', 'c']);
});

test('globs expand sorted, duplicates once; a directory that is not a lake is refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'logsift-chunks-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const f of ['b.log', 'a.log', 'c.txt']) await writeFile(join(dir, f), 'line\n');
  const chunks = await planChunks([join(dir, '*.log'), join(dir, 'a.log')], { chunkBytes: 100 });
  assert.deepEqual(chunks.map((c) => [c.index, c.path]), [[0, join(dir, 'a.log')], [1, join(dir, 'b.log')]]);
  await assert.rejects(planChunks([dir], { chunkBytes: 100 }), /not a Parquet lake/);
  await assert.rejects(planChunks([join(dir, '*.nope')], { chunkBytes: 100 }), /no file matches/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { createGenerator, type GeneratorOptions } from './generator.js';
import { writeNdjsonFile } from './write-file.js';

const opts: GeneratorOptions = { seed: 77, start: new Date('2024-02-29T23:59:00Z'), linesPerSecond: 2000 };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'logsift-demo-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('writes exactly the generator lines, one per line, and reports the bytes', () =>
  withDir(async (dir) => {
    const path = join(dir, 'out.ndjson');
    const { bytes } = await writeNdjsonFile(path, 25_000, opts);
    const text = await readFile(path, 'utf8');
    assert.equal(bytes, (await stat(path)).size);
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n');
    assert.equal(lines.length, 25_000);
    const g = createGenerator(opts);
    for (const line of lines) assert.equal(line, g.next());
  }));

test('zero lines gives an empty file; bad arguments are config errors', () =>
  withDir(async (dir) => {
    const path = join(dir, 'empty.ndjson');
    assert.deepEqual(await writeNdjsonFile(path, 0, opts), { bytes: 0 });
    assert.equal((await stat(path)).size, 0);
    await assert.rejects(writeNdjsonFile(path, -1, opts), ConfigError);
    await assert.rejects(writeNdjsonFile(path, 1.5, opts), ConfigError);
    await assert.rejects(writeNdjsonFile(path, 10, { ...opts, format: 'mixed' }), ConfigError);
  }));

test('writes a few hundred thousand lines per second', (t) =>
  withDir(async (dir) => {
    const lines = 400_000;
    const began = performance.now();
    const { bytes } = await writeNdjsonFile(join(dir, 'bench.ndjson'), lines, opts);
    const seconds = (performance.now() - began) / 1000;
    const rate = lines / seconds;
    t.diagnostic(`${lines} lines, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s: ${Math.round(rate)} lines/s, ${(bytes / 1e6 / seconds).toFixed(0)} MB/s`);
    // A loose floor so a busy CI machine passes; an unbuffered or quadratic writer is far below it.
    assert.ok(rate > 100_000, `${Math.round(rate)} lines/s`);
  }));

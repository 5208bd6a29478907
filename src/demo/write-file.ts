// Writes a generated NDJSON file for benchmarks: large buffered writes, no per-line syscalls.
import { open, type FileHandle } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { createGenerator, type GeneratorOptions } from './generator.js';

const CHUNK_BYTES = 4 << 20;

/** Writes `lines` JSON lines (each ending in a newline) to `path`, replacing it. Returns the bytes written. */
export async function writeNdjsonFile(path: string, lines: number, opts: GeneratorOptions): Promise<{ bytes: number }> {
  if (!Number.isInteger(lines) || lines < 0) throw new ConfigError('lines', `must be a non-negative integer, got ${lines}`);
  if (opts.format === 'mixed') {
    throw new ConfigError('demo.format', 'writeNdjsonFile writes JSON lines only; use format "json" or createGenerator for mixed text');
  }
  const gen = createGenerator({ ...opts, format: 'json' });
  const file = await open(path, 'w');
  let bytes = 0;
  try {
    let chunk = '';
    for (let i = 0; i < lines; i++) {
      chunk += `${gen.next()}\n`;
      // String length undercounts multi-byte text, which only makes a chunk somewhat larger: harmless.
      if (chunk.length >= CHUNK_BYTES) {
        bytes += await writeAll(file, chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) bytes += await writeAll(file, chunk);
  } finally {
    await file.close();
  }
  return { bytes };
}

/** write(2) may accept fewer bytes than asked; loop until the whole chunk is written. */
async function writeAll(file: FileHandle, text: string): Promise<number> {
  const buf = Buffer.from(text, 'utf8');
  for (let off = 0; off < buf.length;) off += (await file.write(buf, off, buf.length - off)).bytesWritten;
  return buf.length;
}

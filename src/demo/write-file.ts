// Writes a generated NDJSON file for benchmarks: lines encoded straight into one reused buffer, large writes.
import { open, type FileHandle } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { createGenerator, type GeneratorOptions } from './generator.js';

const BUFFER_BYTES = 4 << 20;

/** Writes `lines` JSON lines (each ending in a newline) to `path`, replacing it. Returns the bytes written. */
export async function writeNdjsonFile(path: string, lines: number, opts: GeneratorOptions): Promise<{ bytes: number }> {
  if (!Number.isInteger(lines) || lines < 0) throw new ConfigError('lines', `must be a non-negative integer, got ${lines}`);
  if (opts.format === 'mixed') {
    throw new ConfigError('demo.format', 'writeNdjsonFile writes JSON lines only; use format "json", or createGenerator for mixed text');
  }
  const gen = createGenerator({ ...opts, format: 'json' });
  const file = await open(path, 'w');
  // Encoding each line into the buffer is several times faster than joining or concatenating strings first:
  // generated lines are rope strings, and flattening megabytes of ropes dominated the run.
  const buf = Buffer.allocUnsafe(BUFFER_BYTES);
  let used = 0;
  let bytes = 0;
  try {
    for (let i = 0; i < lines; i++) {
      const line = gen.next();
      // 3 bytes per UTF-16 unit bounds the UTF-8 size of any string, plus the newline.
      if (used + 3 * line.length + 1 > BUFFER_BYTES) {
        bytes += await writeAll(file, buf.subarray(0, used));
        used = 0;
        if (3 * line.length + 1 > BUFFER_BYTES) {
          bytes += await writeAll(file, Buffer.from(`${line}\n`, 'utf8'));
          continue;
        }
      }
      used += buf.write(line, used, 'utf8');
      buf[used++] = 0x0a;
    }
    if (used > 0) bytes += await writeAll(file, buf.subarray(0, used));
  } finally {
    await file.close();
  }
  return { bytes };
}

/** write(2) may accept fewer bytes than asked; loop until the whole chunk is written. */
async function writeAll(file: FileHandle, chunk: Buffer): Promise<number> {
  for (let off = 0; off < chunk.length;) off += (await file.write(chunk, off, chunk.length - off)).bytesWritten;
  return chunk.length;
}

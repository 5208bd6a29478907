// Reading the lines of a text chunk: the lines whose first byte lies in [start, end), each with its byte offset.
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { TextChunk } from './plan.js';

/** A line of a chunk (without its newline or a trailing \r), or a line cut because it is longer than the limit. */
export type ChunkLine = { offset: number; text: string; bad: null } | { offset: number; text: ''; bad: 'line_too_long' | 'invalid_utf8' };

/** A line's text, or why it has none: the engine decodes strictly, so bad UTF-8 is a rejection, not replaced. */
function lineOf(offset: number, bytes: Buffer, maxLineBytes: number): ChunkLine {
  if (bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1);
  if (bytes.length > maxLineBytes) return { offset, text: '', bad: 'line_too_long' };
  if (!isUtf8(bytes)) return { offset, text: '', bad: 'invalid_utf8' };
  return { offset, text: bytes.toString('utf8'), bad: null };
}

/**
 * Yields the lines that start in the chunk: a chunk after the first skips the line it starts inside of (it belongs to
 * the chunk holding its first byte), and reads past its end to finish its own last line. A line longer than
 * `maxLineBytes` is not buffered whole: it is reported as too long and skipped to its end.
 */
export async function* readChunkLines(chunk: Pick<TextChunk, 'path' | 'start' | 'end' | 'gzip'>, maxLineBytes: number): AsyncGenerator<ChunkLine> {
  const from = chunk.gzip || chunk.start === 0 ? 0 : chunk.start - 1;
  const end = chunk.gzip ? Infinity : chunk.end;
  let stream: Readable = createReadStream(chunk.path, { start: from, highWaterMark: 1 << 20 });
  if (chunk.gzip) stream = stream.pipe(createGunzip());
  // Starting one byte early: if that byte is a newline, the chunk starts on a line; otherwise the partial first line is skipped.
  let skipping = from < chunk.start;
  let pos = from; // file offset of buf[0]
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let lineStart = from;
  let tooLong = false;
  try {
    for await (const data of stream as AsyncIterable<Buffer>) {
      let i = 0;
      for (;;) {
        const nl = data.indexOf(10, i);
        if (nl < 0) {
          if (!skipping && !tooLong) {
            if (carryBytes + data.length - i > maxLineBytes + 1) { tooLong = true; carry = []; carryBytes = 0; }
            else { carry.push(data.subarray(i)); carryBytes += data.length - i; }
          }
          break;
        }
        if (skipping) skipping = false;
        else if (tooLong) { yield { offset: lineStart, text: '', bad: 'line_too_long' }; tooLong = false; }
        else yield lineOf(lineStart, carryBytes === 0 ? data.subarray(i, nl) : Buffer.concat([...carry, data.subarray(i, nl)]), maxLineBytes);
        carry = []; carryBytes = 0;
        lineStart = pos + nl + 1;
        i = nl + 1;
        if (lineStart >= end) return;
      }
      pos += data.length;
    }
    // The last line of the file, without a newline.
    if (!skipping && lineStart < end) {
      if (tooLong) yield { offset: lineStart, text: '', bad: 'line_too_long' };
      else if (carryBytes > 0) yield lineOf(lineStart, Buffer.concat(carry), maxLineBytes);
    }
  } finally {
    stream.destroy();
  }
}

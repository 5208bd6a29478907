// Salvage: when a WAL segment fails to load whole, load what the store can read and dead-letter the rest, line by line.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { errorMessage } from '../errors.js';
import type { LogStore } from './log-store.js';
import type { Segment } from './wal.js';

interface Line { lsn: number; raw: Buffer; deadLetter: boolean }

/** Whether an error says the data cannot be read (a bad line), as opposed to memory, I/O or other passing trouble. */
export function isDataError(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${err.cause instanceof Error ? err.cause.message : ''}` : String(err);
  return /(Invalid Input|Conversion|Parser) Error/.test(text) && !/Out of Memory|IO Error/.test(text);
}

/**
 * Splits the segment in halves until each failing part is one line, loading the good halves in LSN order (each in its
 * own transaction that also advances the applied LSN, so a crash mid-salvage resumes where it stopped). A line the
 * store cannot read becomes a `wal_corrupt` dead letter with its bytes: an acknowledged record is never dropped silently.
 */
export function salvageSegment(store: LogStore, seg: Segment): Promise<{ records: number; corrupt: number }> {
  return store.serial(async (c) => {
    const buf = await readFile(seg.path);
    const lines: Line[] = [];
    const unreadable: Buffer[] = [];
    let start = 0;
    while (start < buf.length) {
      let end = buf.indexOf(0x0a, start);
      if (end === -1) end = buf.length;
      const raw = buf.subarray(start, end);
      start = end + 1;
      let entry: { lsn?: unknown; k?: unknown } = {};
      try { entry = JSON.parse(raw.toString('utf8')) as typeof entry; } catch { unreadable.push(raw); continue; }
      if (typeof entry.lsn === 'number' && entry.lsn > store.appliedLsn) lines.push({ lsn: entry.lsn, raw, deadLetter: entry.k === 'd' });
    }
    const tmp = `${seg.path}.salvage`;
    const result = { records: 0, corrupt: 0 };
    const attempt = async (part: Line[]): Promise<void> => {
      if (part.length === 0) return;
      const last = part[part.length - 1];
      if (!last) return;
      await writeFile(tmp, Buffer.concat(part.flatMap((l) => [l.raw, Buffer.from('\n')])));
      try {
        const r = await store.loadFile(c, tmp, last.lsn, part.some((l) => l.deadLetter));
        result.records += r.records;
        return;
      } catch (err) {
        if (!isDataError(err)) throw err; // passing trouble: stop here, the rest stays in the WAL for a retry
        if (part.length === 1) {
          await store.deadLetterWalLine(c, last.lsn, last.raw, `the store cannot read this write-ahead-log line: ${errorMessage(err)}`);
          result.corrupt++;
          return;
        }
      }
      const mid = Math.ceil(part.length / 2);
      await attempt(part.slice(0, mid));
      await attempt(part.slice(mid));
    };
    try {
      await attempt(lines);
    } finally {
      await rm(tmp, { force: true });
    }
    // Lines without a readable LSN (recovery takes these out at start; this is the belt to its braces): kept as
    // dead letters under the segment's last LSN, so they are neither lost nor counted twice.
    for (const raw of unreadable) {
      await store.deadLetterWalLine(c, Math.max(store.appliedLsn, seg.lastLsn), raw, 'the write-ahead-log line is not JSON', `${seg.seq}-${result.corrupt}`);
      result.corrupt++;
    }
    if (lines.length > 0 && store.appliedLsn < seg.lastLsn) {
      // Lines without a readable LSN were never acknowledged as records; the segment is done.
      await store.markApplied(c, seg.lastLsn);
    }
    return result;
  });
}

// Test support for the file source: a SourceContext that keeps what it is given, decoded back into records.
import { pino } from 'pino';
import type { SourceBatch, SourceContext } from '../source.js';
import { decodeTextRecords } from '../text-records.js';
import { FileSource } from './source.js';
import { fileSourceSchema, type FileSourceOptions } from './options.js';

export interface Collected { text: string; service?: string; cut?: boolean }

/**
 * `storedAfter` answers from the LSNs this context handed out: one per batch ingested (what landed is known exactly),
 * unless `opts.storedAfter` is given.
 */
export function fakeContext(stateDir: string, opts: { fail?: () => boolean; overloaded?: () => string | undefined; storedAfter?: (lsn: number) => boolean } = {}): { ctx: SourceContext; got: Collected[]; dropped: Record<string, number>; asked: number[] } {
  const got: Collected[] = [];
  const asked: number[] = [];
  let lsn = 0;
  const dropped: Record<string, number> = {};
  const ctx: SourceContext = {
    log: pino({ level: 'silent' }),
    limits: { maxBodyBytes: 16 << 20, maxDecompressedBytes: 64 << 20 },
    ingest: async (b: SourceBatch) => {
      await new Promise((r) => setTimeout(r, 1));
      if (opts.fail?.()) throw new Error('wal_failed');
      lsn++;
      const svc = b.service ? { service: b.service } : {};
      if (b.format === 'lines') {
        for (const l of b.body.toString('utf8').split('\n')) { const t = l.replace(/\r$/, ''); if (t) got.push({ text: t, ...svc }); }
      } else {
        for (const r of decodeTextRecords(b.body)) if (r.bytes.length) got.push({ text: Buffer.from(r.bytes).toString('utf8'), ...svc, ...(r.cut ? { cut: true } : {}) });
      }
      return { accepted: 0, rejected: 0, skipped: 0, reasons: {}, itemErrors: [] };
    },
    overloaded: () => opts.overloaded?.(),
    retryAfterSeconds: 1,
    dropped: (reason, n = 1) => { dropped[reason] = (dropped[reason] ?? 0) + n; },
    reserve: () => () => undefined,
    now: () => new Date(),
    stateDir,
    lastLsn: () => lsn,
    storedAfter: (after) => { asked.push(after); return Promise.resolve(opts.storedAfter ? opts.storedAfter(after) : lsn > after); },
  };
  return { ctx, got, dropped, asked };
}

/** Options with the schema's defaults and fast timings, overridden by `o`. */
export function fileOptions(o: Partial<FileSourceOptions> & { include: string[] }): FileSourceOptions {
  const d: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fileSourceSchema.properties)) if ('default' in v) d[k] = v.default;
  return { ...(d as unknown as FileSourceOptions), name: 'files', pollIntervalMs: 20, scanIntervalMs: 40, rotateWaitMs: 150, ...o };
}

export async function startFileSource(o: FileSourceOptions, ctx: SourceContext): Promise<FileSource> {
  const s = new FileSource(o);
  await s.start(ctx);
  return s;
}

export async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// The `file` source: follows files named by globs, through rotation (rename and copytruncate) and truncation, sending
// their lines (or multi-line records) in batches, one at a time, and saving per file the offset up to which they are
// durable, so that a restart neither loses nor repeats lines. Before each batch the checkpoint also names the batch
// (`pending`, with the engine's last LSN then); after a crash the store tells whether that batch landed.
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { glob } from 'tinyglobby';
import { registerSourceType } from '../registry.js';
import type { Source, SourceContext } from '../source.js';
import { loadCheckpoint, resolvePending, saveCheckpoint, type FilePosition, type PendingBatch } from './checkpoint.js';
import { checkFileOptions, fileSourceSchema, serviceOf, type FileSourceOptions } from './options.js';
import { FileTail, FINGERPRINT_BYTES, fingerprintOf } from './tail.js';

interface Counters { batches: number; truncations: number; rotations: number; cutLines: number; inodeReused: number; waitingForSlot: number; errors: number }

export class FileSource implements Source {
  readonly type = 'file';
  readonly name: string;
  private ctx: SourceContext | undefined;
  private readonly tails = new Map<string, FileTail>();
  /** Files not open now whose position is kept: from the checkpoint at start, or closed while idle. */
  private readonly known = new Map<string, FilePosition>();
  private readonly serviceRe: RegExp | undefined;
  private readonly readBuf: Buffer;
  private firstStart = false;
  private scans = 0;
  private stopping = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private dirty = false;
  private lastSave = 0;
  private readonly counters: Counters = { batches: 0, truncations: 0, rotations: 0, cutLines: 0, inodeReused: 0, waitingForSlot: 0, errors: 0 };

  constructor(private readonly o: FileSourceOptions, private readonly clock: () => number = Date.now) {
    this.name = o.name;
    this.serviceRe = o.serviceFromPath !== undefined ? new RegExp(o.serviceFromPath) : undefined;
    this.readBuf = Buffer.allocUnsafe(o.readBytes);
  }

  private get checkpointPath(): string { return join(this.c.stateDir, 'checkpoint.json'); }
  private get c(): SourceContext {
    if (!this.ctx) throw new Error('BUG: the file source is used before start()');
    return this.ctx;
  }

  async start(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    const saved = await loadCheckpoint(this.checkpointPath);
    this.firstStart = saved === undefined;
    let files = saved?.files ?? [];
    if (saved?.pending) {
      // A crash (kill -9) while a batch was in flight: it was stored whole or not at all; the store says which.
      const p = saved.pending;
      const landed = await ctx.storedAfter(p.afterLsn);
      files = resolvePending(files, p, landed);
      ctx.log.info({ dev: p.dev, ino: p.ino, from: p.from, to: p.to, landed }, landed
        ? 'the batch in flight at the last stop was stored: resuming after it'
        : 'the batch in flight at the last stop was not stored: reading it again');
      // Settled before any new batch, so the answer cannot change under a later crash.
      await saveCheckpoint(this.checkpointPath, files);
    }
    for (const p of files) this.known.set(`${p.dev}:${p.ino}`, p);
    this.running = this.run().catch((err: unknown) => ctx.log.error({ err }, 'the file source stopped on an unexpected error; restart logsift to resume from the checkpoint'));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    if (this.ctx) await this.save().catch((err: unknown) => this.c.log.error({ err }, 'cannot save the file source checkpoint at stop; the lines since the last save are read again at the next start'));
    for (const t of this.tails.values()) await t.fh.close().catch(() => undefined);
    this.tails.clear();
  }

  status(): Record<string, unknown> {
    const files = [...this.tails.values()].slice(0, 100).map((t) => ({ path: t.path, offset: t.acked, rotated: t.rotatedAt !== undefined }));
    return { ...this.counters, openFiles: this.tails.size, idleFiles: this.known.size, files };
  }

  private async run(): Promise<void> {
    let lastScan = -Infinity;
    let backoff = 0;
    while (!this.stopping) {
      const now = this.clock();
      if (now - lastScan >= this.o.scanIntervalMs) {
        lastScan = now;
        await this.scan(now).catch((err: unknown) => { this.counters.errors++; this.c.log.error({ err }, 'cannot list the files to follow; trying again at the next scan'); });
      }
      let worked = false;
      try {
        for (const t of [...this.tails.values()]) {
          if (this.stopping) break;
          if (this.c.overloaded(this.o.readBytes)) break;
          if (await this.pump(t, this.clock())) worked = true;
        }
        backoff = 0;
      } catch (err) {
        // The write path failed (e.g. a failed fsync): nothing was acknowledged; read the same lines again later.
        this.counters.errors++;
        backoff = Math.min(30_000, Math.max(1000, backoff * 2));
        this.c.log.error({ err, retryInMs: backoff }, 'cannot store a batch read from a file; it is read again');
        for (const t of this.tails.values()) t.rewind();
        await this.sleep(backoff);
        continue;
      }
      if (this.dirty && this.clock() - this.lastSave >= this.o.checkpointIntervalMs) await this.save().catch((err: unknown) => { this.counters.errors++; this.c.log.error({ err }, 'cannot save the file source checkpoint; trying again'); });
      if (!worked && !this.stopping) await this.sleep(this.o.pollIntervalMs);
    }
  }

  /** Reads and sends one batch of a file; true when it made progress and may have more. */
  private async pump(t: FileTail, now: number): Promise<boolean> {
    let size: number;
    try { size = (await t.fh.stat()).size; } catch (err) {
      this.counters.errors++;
      this.c.log.error({ err, path: t.path }, 'cannot stat a followed file; closing it (its position is kept)');
      await this.close(t, true);
      return false;
    }
    if (size < t.readPos || (size < t.fpLen) || (await t.headChanged(size))) {
      this.counters.truncations++;
      this.c.log.warn({ path: t.path, size, offset: t.readPos }, 'file truncated (copytruncate?): reading it again from its start');
      t.restart();
      this.dirty = true;
      await t.headChanged(size);
    }
    const drained = t.rotatedAt !== undefined && size <= t.readPos && now - t.lastDataAt >= this.o.rotateWaitMs;
    if (!t.behind(size) && t.idle && !drained) {
      if (t.rotatedAt === undefined && now - t.lastDataAt >= this.o.closeIdleMs) await this.close(t, true);
      return false;
    }
    let r;
    try { r = await t.read(now, drained); } catch (err) {
      this.counters.errors++;
      this.c.log.error({ err, path: t.path }, 'cannot read a followed file; closing it (its position is kept, it is opened again at the next scan)');
      await this.close(t, true);
      return false;
    }
    if (r?.body) {
      // The intent first: a crash from here until the position below is saved is settled at the next start.
      await this.save({ dev: t.dev, ino: t.ino, from: t.acked, to: r.end, afterLsn: this.c.lastLsn() });
      const release = this.c.reserve(r.body.length);
      try {
        const service = serviceOf(this.o, this.serviceRe, t.path);
        await this.c.ingest({ format: r.format ?? 'lines', body: r.body, ...(service ? { service } : {}) });
      } finally { release(); }
      this.counters.batches++;
    }
    if (r) {
      if (r.cutLines) { this.counters.cutLines += r.cutLines; this.c.dropped('line_cut', r.cutLines); }
      if (r.end !== t.acked) { t.acked = r.end; this.dirty = true; }
      if (this.o.checkpointIntervalMs === 0 && this.dirty) await this.save().catch((err: unknown) => { this.counters.errors++; this.c.log.error({ err }, 'cannot save the file source checkpoint; trying again after the next batch'); });
    }
    if (drained && t.idle && t.atEof) {
      this.c.log.info({ path: t.path, offset: t.acked }, 'a rotated file was read to its end; closing it');
      await this.close(t, false);
      return false;
    }
    return r?.body !== undefined || !t.atEof;
  }

  /** Closes a file; `keep` remembers its position (it may be opened again when it grows). */
  private async close(t: FileTail, keep: boolean): Promise<void> {
    this.tails.delete(t.key);
    if (keep) this.known.set(t.key, { path: t.path, dev: t.dev, ino: t.ino, fp: t.fp, fpLen: t.fpLen, offset: t.acked });
    this.dirty = true;
    await t.fh.close().catch(() => undefined);
  }

  /** Finds the files the globs name now: notes renames and rotations of open files, opens new ones. */
  private async scan(now: number): Promise<void> {
    const first = this.scans++ === 0;
    // cwd '/': include patterns are absolute, and an exclude pattern such as `**/*.gz` matches in any directory.
    const paths = await glob(this.o.include, { absolute: true, ignore: this.o.exclude, onlyFiles: true, dot: true, expandDirectories: false, followSymbolicLinks: true, cwd: '/' });
    const seen = new Map<string, { path: string; size: number; mtimeMs: number }>();
    for (const path of paths.sort()) {
      try {
        const st = await stat(path, { bigint: false });
        const key = `${st.dev}:${st.ino}`;
        if (!seen.has(key) && st.isFile()) seen.set(key, { path, size: st.size, mtimeMs: st.mtimeMs });
      } catch { /* gone between listing and stat: the next scan decides */ }
    }
    for (const t of this.tails.values()) {
      const s = seen.get(t.key);
      if (s) { t.path = s.path; t.rotatedAt = undefined; continue; }
      if (t.rotatedAt === undefined) {
        t.rotatedAt = now;
        this.counters.rotations++;
        this.c.log.info({ path: t.path }, 'file rotated away (renamed out of the globs or deleted): reading it to its end');
      }
    }
    const fresh = [...seen.entries()].filter(([k]) => !this.tails.has(k)).sort((a, b) => a[1].mtimeMs - b[1].mtimeMs);
    for (const [key, s] of fresh) {
      const k = this.known.get(key);
      if (k && s.size === k.offset) { k.path = s.path; continue; }
      if (!k && this.o.ignoreOlderThanMs > 0 && now - s.mtimeMs > this.o.ignoreOlderThanMs) continue;
      if (this.tails.size >= this.o.maxOpenFiles) { this.counters.waitingForSlot++; break; }
      await this.openTail(s.path, key, k, first && this.firstStart, now).catch((err: unknown) => {
        this.counters.errors++;
        this.c.log.warn({ err, path: s.path }, 'cannot open a file to follow; trying again at the next scan');
      });
    }
    for (const key of [...this.known.keys()]) if (!seen.has(key)) { this.known.delete(key); this.dirty = true; }
  }

  private async openTail(path: string, key: string, k: FilePosition | undefined, atFirstStart: boolean, now: number): Promise<void> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (`${st.dev}:${st.ino}` !== key) { await fh.close(); return; } // replaced between stat and open: next scan
      let offset = 0;
      if (k) {
        this.known.delete(key);
        const same = k.fpLen <= st.size && (await fingerprintOf(fh, k.fpLen)) === k.fp;
        if (!same) {
          this.counters.inodeReused++;
          this.c.log.info({ path }, 'a new file has the device and inode of a file read before (inode reused): reading it from its start');
        } else if (st.size < k.offset) {
          this.counters.truncations++;
          this.c.log.warn({ path, size: st.size, offset: k.offset }, 'file truncated since it was last read: reading it again from its start');
        } else offset = k.offset;
      } else if (atFirstStart && this.o.startAt === 'end') offset = st.size;
      const fpLen = Math.min(st.size, FINGERPRINT_BYTES);
      const fp = (await fingerprintOf(fh, fpLen)) ?? '';
      this.tails.set(key, new FileTail(path, fh, st.dev, st.ino, fp, fp === '' && fpLen > 0 ? 0 : fpLen, offset, this.o, now, this.readBuf));
      this.dirty = true;
      this.c.log.info({ path, offset }, 'following a file');
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  /** Saves every file's durable offset, and `pending`: the batch about to be sent (see checkpoint.ts). */
  private async save(pending?: PendingBatch): Promise<void> {
    this.dirty = false;
    this.lastSave = this.clock();
    const files: FilePosition[] = [...this.known.values()];
    for (const t of this.tails.values()) files.push({ path: t.path, dev: t.dev, ino: t.ino, fp: t.fp, fpLen: t.fpLen, offset: t.acked });
    try { await saveCheckpoint(this.checkpointPath, files, pending); } catch (err) { this.dirty = true; throw err; }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wake = undefined; resolve(); }, ms);
      this.wake = () => { clearTimeout(timer); this.wake = undefined; resolve(); };
    });
  }
}

registerSourceType({
  type: 'file',
  schema: fileSourceSchema,
  create: (options) => {
    const o = options as unknown as FileSourceOptions;
    checkFileOptions(o, `sources (file "${o.name}")`);
    return new FileSource(o);
  },
});

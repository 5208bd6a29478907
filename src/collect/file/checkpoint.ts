// The file source's checkpoint: per file (device, inode, fingerprint of its head) the offset up to which its lines are
// durable, and the batch in flight when it was written (`pending`). Written atomically (temp file, fsync, rename,
// directory fsync), so a crash leaves the old or the new one.
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface FilePosition { path: string; dev: number; ino: number; fp: string; fpLen: number; offset: number }

/**
 * A batch of one file sent to ingest after this checkpoint was written: bytes [from, to) of the file `dev:ino` (whose
 * entry in `files` has offset `from`). Whether it was stored is told by the store: it was when a record or dead letter
 * of the source has an LSN above `afterLsn` (the last LSN handed out before the batch was sent).
 */
export interface PendingBatch { dev: number; ino: number; from: number; to: number; afterLsn: number }

export interface Checkpoint { files: FilePosition[]; pending?: PendingBatch }

interface CheckpointFile { version: 1; files: FilePosition[]; pending?: PendingBatch }

const isInt = (n: unknown): n is number => Number.isSafeInteger(n);

/** The saved checkpoint, or undefined when there is none yet (the source's first start). */
export async function loadCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try { text = await readFile(path, 'utf8'); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the file source checkpoint ${path}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: CheckpointFile;
  try { parsed = JSON.parse(text) as CheckpointFile; } catch (err) {
    throw new Error(`cannot parse the file source checkpoint ${path}: ${(err as Error).message}; move it away to read the files again from their start`, { cause: err });
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.files)) throw new Error(`cannot use the file source checkpoint ${path}: unknown version ${String(parsed.version)}`);
  const files = parsed.files.filter((f) => typeof f.path === 'string' && isInt(f.dev) && isInt(f.ino) && isInt(f.offset) && f.offset >= 0 && typeof f.fp === 'string' && isInt(f.fpLen));
  const p = parsed.pending;
  if (p === undefined) return { files };
  if (typeof p !== 'object' || p === null || !isInt(p.dev) || !isInt(p.ino) || !isInt(p.from) || !isInt(p.to) || !isInt(p.afterLsn) || p.from < 0 || p.to < p.from) {
    throw new Error(`cannot use the file source checkpoint ${path}: its pending batch is malformed; move it away to read the files again from their start`);
  }
  return { files, pending: { dev: p.dev, ino: p.ino, from: p.from, to: p.to, afterLsn: p.afterLsn } };
}

/** Saves positions (and the batch about to be sent, if any) atomically and durably. */
export async function saveCheckpoint(path: string, files: FilePosition[], pending?: PendingBatch): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, '.checkpoint.json.tmp');
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify({ version: 1, files, ...(pending ? { pending } : {}) } satisfies CheckpointFile));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const d = await open(dir, 'r');
  try { await d.sync(); } finally { await d.close(); }
}

/**
 * Where a restart resumes after a checkpoint with a pending batch: the batch's file continues at `to` when the batch
 * was stored (`landed`), else at `from`. The other files keep their offsets. Returns the positions to resume at.
 */
export function resolvePending(files: readonly FilePosition[], pending: PendingBatch, landed: boolean): FilePosition[] {
  return files.map((f) => (f.dev === pending.dev && f.ino === pending.ino && f.offset === pending.from ? { ...f, offset: landed ? pending.to : pending.from } : f));
}

// The file source's checkpoint: per file (device, inode, fingerprint of its head) the offset up to which its lines are
// durable. Written atomically (temp file, fsync, rename, directory fsync), so a crash leaves the old or the new one.
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface FilePosition { path: string; dev: number; ino: number; fp: string; fpLen: number; offset: number }

interface CheckpointFile { version: 1; files: FilePosition[] }

/** The saved positions, or undefined when there is no checkpoint yet (the source's first start). */
export async function loadCheckpoint(path: string): Promise<FilePosition[] | undefined> {
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
  return parsed.files.filter((f) => typeof f.path === 'string' && Number.isSafeInteger(f.dev) && Number.isSafeInteger(f.ino) && Number.isSafeInteger(f.offset) && f.offset >= 0 && typeof f.fp === 'string' && Number.isSafeInteger(f.fpLen));
}

/** Saves positions atomically and durably. */
export async function saveCheckpoint(path: string, files: FilePosition[]): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, '.checkpoint.json.tmp');
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify({ version: 1, files } satisfies CheckpointFile));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const d = await open(dir, 'r');
  try { await d.sync(); } finally { await d.close(); }
}

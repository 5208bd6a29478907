// fsync of a file or a directory by path: the store's durability steps (new WAL segments, renames, sealed files).
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Flushes a file's data, or a directory's entries, to disk (both open read-only on Linux). */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** Replaces a file atomically and durably: a temporary file beside it, fsynced, renamed over it, directory fsynced. */
export async function writeFileDurably(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try { await fh.writeFile(text); await fh.datasync(); } finally { await fh.close(); }
  await rename(tmp, path);
  fsyncPath(dirname(path));
}

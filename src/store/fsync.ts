// fsync of a file or a directory by path: the store's durability steps (new WAL segments, renames, sealed files).
import { closeSync, fsyncSync, openSync } from 'node:fs';

/** Flushes a file's data, or a directory's entries, to disk (both open read-only on Linux). */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

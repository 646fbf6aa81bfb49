// What a full disk looks like to an operator: which file system (its mount
// point, from /proc/self/mountinfo), how much is free, and how much was needed.
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { VsError } from './errors.js';

/** The mount point that holds `path` (the longest mount point that is a prefix of it). */
export function mountPointOf(path: string): string {
  const abs = resolve(path);
  let best = '/';
  let mounts: string;
  try {
    mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return best;
  }
  for (const line of mounts.split('\n')) {
    // Field 5 is the mount point, with spaces and the like octal-escaped.
    const point = line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (
      point &&
      (abs === point || abs.startsWith(point.endsWith('/') ? point : `${point}/`)) &&
      point.length > best.length
    )
      best = point;
  }
  return best;
}

/** Bytes an unprivileged writer may still use on the file system of `path` (or of its nearest existing parent). */
export async function freeBytes(path: string): Promise<number> {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      const fs = await statfs(p);
      return fs.bavail * fs.bsize;
    } catch (err) {
      if (p === '/' || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** True for the errors a full file system gives: ENOSPC, EDQUOT, and SQLite's SQLITE_FULL. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/** VS_ERR_DISK_FULL naming the file system, its free space and what `what` needed. */
export async function diskFullError(path: string, what: string, neededBytes: number, cause: unknown): Promise<VsError> {
  const free = await freeBytes(path).catch(() => NaN);
  return new VsError(
    'VS_ERR_DISK_FULL',
    `no space left on the file system mounted at ${mountPointOf(path)} while writing ${path} (${what}): ${Number.isNaN(free) ? 'free space unknown' : `${mb(free)} free`}, about ${mb(neededBytes)} needed`,
    { cause, details: { mountPoint: mountPointOf(path), freeBytes: Number.isNaN(free) ? -1 : free, neededBytes } },
  );
}

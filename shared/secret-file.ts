// Files that hold secrets (keys, tokens, passwords, the pairing bundle) must be
// readable by their owner only, the way ssh refuses a private key that others
// can read. A group- or world-readable file is refused with the fix spelled out.
import { lstat, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VsError } from './errors.js';

export async function assertPrivateFile(path: string, what: string): Promise<void> {
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch (err) {
    throw new VsError(
      'VS_ERR_SECRET_FILE_UNREADABLE',
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      {
        details: { path },
        cause: err,
      },
    );
  }
  if ((mode & 0o077) !== 0) {
    const octal = mode.toString(8).padStart(4, '0');
    throw new VsError(
      'VS_ERR_SECRET_FILE_MODE',
      `${what} ${path} has mode ${octal}: group or others can read it. Refusing to use it; run: chmod 600 ${path}`,
      { details: { path, mode: octal } },
    );
  }
}

/** Read a secret file after checking its mode; one trailing newline is dropped. */
export async function readSecretFile(path: string, what: string): Promise<string> {
  await assertPrivateFile(path, what);
  return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
}

/**
 * A directory for copies of the data (snapshots, reports, dumps): created 0700
 * when missing (mkdir fails rather than follow anything an attacker placed
 * there), otherwise it must be a real directory, ours, closed to group and
 * others. Refused with what to do otherwise.
 */
export async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await mkdir(path, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = await lstat(path);
  const uid = process.getuid?.() ?? st.uid;
  const why = !st.isDirectory()
    ? 'it is not a directory (a symlink or a file)'
    : st.uid !== uid
      ? `it belongs to uid ${st.uid}, not to this user (uid ${uid})`
      : (st.mode & 0o077) !== 0
        ? `its mode ${(st.mode & 0o777).toString(8).padStart(4, '0')} lets group or others in (chmod 700 ${path})`
        : '';
  if (why)
    throw new VsError('VS_ERR_WORK_DIR_UNSAFE', `the work directory ${path} cannot hold a copy of the data: ${why}`, {
      details: { path },
    });
}

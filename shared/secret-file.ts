// Files that hold secrets (keys, tokens, passwords, the pairing bundle) must be
// readable by their owner only, the way ssh refuses a private key that others
// can read. A group- or world-readable file is refused with the fix spelled out.
import { readFile, stat } from 'node:fs/promises';
import { VsError } from './errors.js';

export async function assertPrivateFile(path: string, what: string): Promise<void> {
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch (err) {
    throw new VsError('VS_ERR_SECRET_FILE_UNREADABLE', `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      details: { path },
      cause: err,
    });
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

// Replace a file so that a crash at any point leaves either the old or the new
// content, never a mix: write a temporary file beside it, fsync it, rename it
// over the target, fsync the directory.
import { constants } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface AtomicWriteOptions {
  mode: number;
  uid?: number;
  gid?: number;
  /** Called after the temporary file is durable and before the rename (tests crash here). */
  beforeRename?: () => void | Promise<void>;
}

const TMP_MARK = '.vsmigrate-tmp-';

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Remove temporary files a crashed earlier write left beside `path`. */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}${TMP_MARK}`;
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if (name.startsWith(prefix)) {
      await rm(join(dir, name), { force: true });
      removed.push(join(dir, name));
    }
  }
  return removed;
}

export async function writeFileAtomic(path: string, data: Buffer | string, options: AtomicWriteOptions): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, options.mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(options.mode); // the umask may have narrowed the mode given to open
    if (options.uid !== undefined && options.gid !== undefined) await handle.chown(options.uid, options.gid);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    if (options.beforeRename) await options.beforeRename();
    await rename(tmp, path);
  } catch (err) {
    // The temporary file may hold a secret (a new URL with its password): it never stays.
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

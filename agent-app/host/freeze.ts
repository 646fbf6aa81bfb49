// The write freeze: stop the writer units, prove that no process still holds
// the SQLite file (from /proc/<pid>/fd), and hold the file's write lock; and
// the seal that keeps the file read-only after a switch, with its undo.
import { readdirSync, readlinkSync, readFileSync, statSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import { VsError } from '../../shared/errors.js';
import type { ServiceManager } from './service-manager.js';

/** Processes (other than this one) with the file, its -wal or its -journal open, from /proc/<pid>/fd. */
export function holdersOf(path: string): Array<{ pid: number; name: string; file: string }> {
  const targets = new Set([path, `${path}-wal`, `${path}-journal`, `${path}-shm`]);
  const found: Array<{ pid: number; name: string; file: string }> = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (targets.has(link)) {
        let name = '?';
        try {
          name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          // it exited meanwhile
        }
        found.push({ pid, name, file: link });
        break;
      }
    }
  }
  return found;
}

/** The SQLite write lock held for the rest of a run: other connections can read, none can write. */
export class WriteLock {
  private db: Database.Database | null;

  constructor(path: string) {
    this.db = new Database(path, { fileMustExist: true, timeout: 5_000 });
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      this.db.close();
      this.db = null;
      throw new VsError('VS_ERR_WRITER_ACTIVE', `cannot take the write lock of ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  release(): void {
    if (!this.db) return;
    this.db.exec('ROLLBACK');
    this.db.close();
    this.db = null;
  }
}

export interface FrozenUnits {
  /** Units that were active and were stopped, to start again afterwards. */
  stopped: string[];
}

/** The units that bring the app back: those a freeze stopped, and the backend's in any case. */
export function unitsToStart(stopped: string[], backendUnit: string): string[] {
  return [...new Set([...stopped, backendUnit])];
}

/** Stop the writer units that exist and run; then nothing may hold the file. */
export async function freeze(
  services: ServiceManager,
  units: string[],
  say: (line: string) => void,
): Promise<FrozenUnits> {
  const stopped: string[] = [];
  for (const unit of units) {
    const st = await services.state(unit);
    if (!st.exists || !st.active) continue;
    say(`stopping ${unit} (pid ${st.mainPid})`);
    await services.stop(unit);
    stopped.push(unit);
  }
  return { stopped };
}

/** Throw naming every process that still has the file open. */
export function assertNoHolders(sqlitePath: string): void {
  const holders = holdersOf(sqlitePath);
  if (holders.length > 0) {
    const list = holders.map((h) => `${h.name} (pid ${h.pid}, ${basename(h.file)})`).join(', ');
    throw new VsError('VS_ERR_WRITER_ACTIVE', `still open after the writers were stopped: ${list}`, {
      details: { pid: holders[0]!.pid, name: holders[0]!.name },
    });
  }
}

/** Make the SQLite file read-only; returns its mode before, for the undo. */
export async function seal(path: string): Promise<number> {
  const mode = statSync(path).mode & 0o7777;
  await chmod(path, mode & 0o444);
  return mode;
}

export async function unseal(path: string, mode: number): Promise<void> {
  await chmod(path, mode);
}

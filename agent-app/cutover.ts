// The pieces of a cutover that touch the VisionSuit host: the write freeze
// (stop the writers, prove nobody holds the SQLite file, hold its write lock),
// the env-file switch and its undo, the health probe, and the seal. Each is
// small and journaled by the operation that calls it, so a restart after a
// crash knows what was done.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync, readFileSync, realpathSync, statSync } from 'node:fs';
import dotenv from 'dotenv';
import { chmod } from 'node:fs/promises';
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import { VsError } from '../shared/errors.js';
import { backupStamp, editEnvFile } from '../shared/env-file.js';
import { httpGet } from '../shared/http-get.js';
import type { ServiceManager } from './service-manager.js';
import type { AgentAppConfig } from './config.js';

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
      throw new VsError('VS_ERR_WRITER_ACTIVE', `cannot take the write lock of ${path}: ${(err as Error).message}`, { cause: err });
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
export async function freeze(services: ServiceManager, units: string[], say: (line: string) => void): Promise<FrozenUnits> {
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
    throw new VsError('VS_ERR_WRITER_ACTIVE', `still open after the writers were stopped: ${list}`, { details: { pid: holders[0]!.pid, name: holders[0]!.name } });
  }
}

export interface EnvEdit {
  /** The file as configured. */
  path: string;
  /** The copy of the file before the switch; null when the switch created the file. */
  backupPath: string | null;
  changed: string[];
  /** Each changed key's value before the switch; null where the key was absent. */
  old?: Record<string, string | null>;
}

/** The keys a switch sets. */
export const SWITCHED_KEYS = ['DATABASE_URL', 'SHADOW_DATABASE_URL'];

/** The backup name editEnvFile gives a file for a switch made at `stamp`. */
function backupName(path: string, stamp: Date): string {
  return `${existsSync(path) ? realpathSync(path) : path}.vsmigrate-${backupStamp(stamp)}.bak`;
}

/**
 * Set DATABASE_URL and SHADOW_DATABASE_URL in each existing env file; only
 * those keys change. `onEdit` journals each file as soon as it is written.
 */
export async function switchEnvFiles(files: string[], values: Record<string, string>, stamp: Date, onEdit?: (edits: EnvEdit[]) => void): Promise<EnvEdit[]> {
  const edits: EnvEdit[] = [];
  for (const path of files) {
    if (!existsSync(path)) continue;
    const r = await editEnvFile(path, values, { now: stamp });
    edits.push({ path, backupPath: r.backupPath, changed: r.changed, old: r.old });
    onEdit?.(edits);
  }
  return edits;
}

export interface RestoreOutcome {
  /** Files written back. */
  restored: string[];
  /** Files that could not be, each with its own error. */
  failed: VsError[];
}

/**
 * Put back the values of the keys a switch made at `stamp` changed, in the
 * files it changed; every other byte stays as it is now, so edits made since
 * survive. The old values come from the journaled edits, or from backups of
 * that stamp the journal may not have recorded (a crash between the write and
 * the journal entry). A file that cannot be written does not stop the others.
 */
export async function restoreEnvFiles(files: string[], edits: EnvEdit[], stamp: Date): Promise<RestoreOutcome> {
  const outcome: RestoreOutcome = { restored: [], failed: [] };
  for (const path of files) {
    try {
      const recorded = edits.find((e) => e.path === path);
      let old: Record<string, string | null> | null = recorded?.old ?? null;
      if (!old) {
        const backup = recorded?.backupPath ?? backupName(path, stamp);
        if (!existsSync(backup)) continue;
        const was = dotenv.parse(readFileSync(backup).toString('latin1'));
        const keys = recorded?.changed ?? SWITCHED_KEYS;
        old = Object.fromEntries(keys.map((k) => [k, k in was ? Buffer.from(was[k]!, 'latin1').toString('utf8') : null]));
      }
      const set = Object.fromEntries(Object.entries(old).filter((e): e is [string, string] => e[1] !== null));
      const remove = Object.keys(old).filter((k) => old![k] === null);
      if (Object.keys(set).length === 0 && remove.length === 0) continue;
      const r = await editEnvFile(path, set, { now: new Date(), remove });
      if (r.changed.length > 0) outcome.restored.push(path);
    } catch (err) {
      outcome.failed.push(err instanceof VsError ? err : new VsError('VS_ERR_ENVFILE_WRITE', `cannot restore ${path}: ${(err as Error).message}`, { cause: err, details: { path } }));
    }
  }
  return outcome;
}

/** The env files whose DATABASE_URL does not point at a SQLite file (`file:`); empty when the app would start on SQLite. */
export function filesNotOnSqlite(files: string[]): string[] {
  return files.filter((path) => {
    if (!existsSync(path)) return false;
    const url = dotenv.parse(readFileSync(path))['DATABASE_URL'];
    return url !== undefined && !url.startsWith('file:');
  });
}

/** Run the operator's hook with a clean, explicit environment. */
export function runHook(argv: string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<void> {
  if (argv.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { cwd, env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env }, timeout: timeoutMs }, (err, _stdout, stderr) => {
      if (err) reject(new VsError('VS_ERR_HEALTH_PROBE', `the switch hook ${argv.join(' ')} failed: ${stderr.trim().split('\n').pop() || err.message}`, { cause: err }));
      else resolve();
    });
  });
}

/** The settings a health probe reads. */
export type ProbeSettings = Pick<AgentAppConfig, 'healthUrl' | 'backendUnit' | 'healthTimeoutMs' | 'healthSettleMs'>;

async function healthy(url: string): Promise<{ ok: boolean; why: string }> {
  try {
    const { status: code, text } = await httpGet(url, 3_000);
    let status = '';
    try {
      status = String((JSON.parse(text) as { status?: unknown }).status ?? '');
    } catch {
      status = '';
    }
    if (code === 200 && status.toLowerCase() === 'ok') return { ok: true, why: '' };
    return { ok: false, why: `HTTP ${code}: ${text.slice(0, 200)}` };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
}

/** The backend answers healthy within the timeout, and its unit stays active and healthy for the settle time. */
export async function probeHealth(services: ServiceManager, config: ProbeSettings): Promise<string> {
  const o = { url: config.healthUrl, unit: config.backendUnit, timeoutMs: config.healthTimeoutMs, settleMs: config.healthSettleMs };
  const deadline = Date.now() + o.timeoutMs;
  let last = { ok: false, why: 'no answer yet' };
  while (Date.now() < deadline) {
    last = await healthy(o.url);
    if (last.ok) break;
    if (!(await services.state(o.unit)).active) throw new VsError('VS_ERR_HEALTH_PROBE', `${o.unit} is not active (it exited); last health answer: ${last.why}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!last.ok) throw new VsError('VS_ERR_HEALTH_PROBE', `${o.url} did not answer healthy within ${o.timeoutMs} ms: ${last.why}`);
  await new Promise((r) => setTimeout(r, o.settleMs));
  if (!(await services.state(o.unit)).active) throw new VsError('VS_ERR_HEALTH_PROBE', `${o.unit} exited within ${o.settleMs} ms of answering healthy`);
  const again = await healthy(o.url);
  if (!again.ok) throw new VsError('VS_ERR_HEALTH_PROBE', `${o.url} stopped answering healthy: ${again.why}`);
  return `healthy, and ${o.unit} stayed active for ${(o.settleMs / 1000).toFixed(1)} s`;
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

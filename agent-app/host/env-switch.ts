// The env-file switch and its undo: DATABASE_URL and SHADOW_DATABASE_URL set
// in every env file of the app, journaled file by file; put back by key, so
// what changed in a file since stays; and the operator's switch hook.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import dotenv from 'dotenv';
import { VsError } from '../../shared/errors.js';
import { backupStamp, editEnvFile } from '../../shared/env-file.js';

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
export async function switchEnvFiles(
  files: string[],
  values: Record<string, string>,
  stamp: Date,
  onEdit?: (edits: EnvEdit[]) => void,
): Promise<EnvEdit[]> {
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
        old = Object.fromEntries(
          keys.map((k) => [k, k in was ? Buffer.from(was[k]!, 'latin1').toString('utf8') : null]),
        );
      }
      const set = Object.fromEntries(Object.entries(old).filter((e): e is [string, string] => e[1] !== null));
      const remove = Object.keys(old).filter((k) => old![k] === null);
      if (Object.keys(set).length === 0 && remove.length === 0) continue;
      const r = await editEnvFile(path, set, { now: new Date(), remove });
      if (r.changed.length > 0) outcome.restored.push(path);
    } catch (err) {
      outcome.failed.push(
        err instanceof VsError
          ? err
          : new VsError('VS_ERR_ENVFILE_WRITE', `cannot restore ${path}: ${(err as Error).message}`, {
              cause: err,
              details: { path },
            }),
      );
    }
  }
  return outcome;
}

/**
 * Why the app must not be started on SQLite now: env files whose DATABASE_URL
 * still points elsewhere than a SQLite file (`file:`), a split configuration;
 * null when every env file says SQLite.
 */
export function notOnSqlite(files: string[]): VsError | null {
  const split = files.filter((path) => {
    if (!existsSync(path)) return false;
    const url = dotenv.parse(readFileSync(path))['DATABASE_URL'];
    return url !== undefined && !url.startsWith('file:');
  });
  if (split.length === 0) return null;
  return new VsError(
    'VS_ERR_ENVFILE_WRITE',
    `${split.join(', ')} still point${split.length === 1 ? 's' : ''} DATABASE_URL at PostgreSQL; the app was not started on a split configuration`,
  );
}

/** Run the operator's hook with a clean, explicit environment. */
export function runHook(argv: string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<void> {
  if (argv.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      { cwd, env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env }, timeout: timeoutMs },
      (err, _stdout, stderr) => {
        if (err)
          reject(
            new VsError(
              'VS_ERR_HEALTH_PROBE',
              `the switch hook ${argv.join(' ')} failed: ${stderr.trim().split('\n').pop() || err.message}`,
              { cause: err },
            ),
          );
        else resolve();
      },
    );
  });
}

// A backup of a database before it is replaced: pg_dump in custom format, the
// password passed in the child's environment (never in argv), checked readable
// with `pg_restore --list`, with the file's size and sha256. Used by agent-db's
// BackupDatabase and by the engine's --replace in migrate-local.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { VsError } from './errors.js';

export interface BackupFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface DumpSource {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** The server's major version: its own pg_dump is used when installed (Debian keeps one per major). */
  serverMajor?: number;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function pgTool(name: 'pg_dump' | 'pg_restore', major?: number): string {
  const versioned = major ? `/usr/lib/postgresql/${major}/bin/${name}` : '';
  return versioned && existsSync(versioned) ? versioned : name;
}

function runTool(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) =>
      reject(new VsError('VS_ERR_BACKUP_FAILED', `cannot run ${command}: ${e.message}`, { cause: e })),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new VsError('VS_ERR_BACKUP_FAILED', `${command} exited ${code}: ${err.trim().split('\n').pop() ?? ''}`),
          ),
    );
  });
}

/** A PostgreSQL tool's environment: the password there, never in argv; a bounded connect. */
function toolEnv(source: DumpSource, appName: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    PGAPPNAME: appName,
    PGCONNECT_TIMEOUT: '10',
  };
  if (source.password !== undefined) env['PGPASSWORD'] = source.password;
  return env;
}

export async function pgDump(source: DumpSource, dest: string): Promise<BackupFile> {
  // Created 0600 before pg_dump opens it: the dump holds every row.
  await (await open(dest, 'wx', 0o600)).close();
  const env = toolEnv(source, 'vsmigrate-backup');
  await runTool(
    pgTool('pg_dump', source.serverMajor),
    [
      '--format=custom',
      '--no-password',
      `--file=${dest}`,
      `--host=${source.host}`,
      `--port=${source.port}`,
      `--username=${source.user}`,
      `--dbname=${source.database}`,
    ],
    env,
  );
  await runTool(pgTool('pg_restore', source.serverMajor), ['--list', dest], env);
  return { path: dest, bytes: (await stat(dest)).size, sha256: await sha256File(dest) };
}

/**
 * Put a pg_dump backup back into its (already emptied) database: the undo of a
 * replace. One transaction; objects are owned by `role` (SET ROLE), or else by
 * the connecting role.
 */
export async function pgRestore(source: DumpSource, dump: string, role?: string): Promise<void> {
  const env = toolEnv(source, 'vsmigrate-restore');
  await runTool(
    pgTool('pg_restore', source.serverMajor),
    [
      '--no-password',
      '--no-owner',
      ...(role ? [`--role=${role}`] : []),
      '--exit-on-error',
      '--single-transaction',
      `--host=${source.host}`,
      `--port=${source.port}`,
      `--username=${source.user}`,
      `--dbname=${source.database}`,
      dump,
    ],
    env,
  );
}

/** The database a custom-format dump was taken from, as its table of contents names it. */
export function dumpDatabase(dump: string, major?: number): string {
  const list = execFileSync(pgTool('pg_restore', major), ['--list', dump], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const name = /^;\s+dbname: (.+)$/m.exec(list)?.[1]?.trim();
  if (!name)
    throw new VsError(
      'VS_ERR_BACKUP_FAILED',
      `${dump} names no database in its table of contents; is it a pg_dump --format=custom file?`,
    );
  return name;
}

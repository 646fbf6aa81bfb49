// A backup of a target database before --replace drops what it holds:
// pg_dump in custom format, the password passed in the child's environment
// (never in argv), with the file's size and sha256.
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { VsError } from '../../shared/errors.js';
import { sha256File } from './snapshot.js';

export interface BackupFile {
  path: string;
  bytes: number;
  sha256: string;
}

export async function pgDump(url: string, dest: string): Promise<BackupFile> {
  const u = new URL(url);
  const args = ['--format=custom', '--no-password', `--file=${dest}`, `--host=${decodeURIComponent(u.hostname)}`, `--port=${u.port || '5432'}`, `--username=${decodeURIComponent(u.username)}`, decodeURIComponent(u.pathname.slice(1))];
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password), PGAPPNAME: 'vsmigrate-backup' };
  await new Promise<void>((resolve, reject) => {
    const child = spawn('pg_dump', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new VsError('VS_ERR_BACKUP_FAILED', `cannot run pg_dump: ${e.message}`, { cause: e })));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new VsError('VS_ERR_BACKUP_FAILED', `pg_dump exited ${code}: ${err.trim().split('\n').pop()}`))));
  });
  return { path: dest, bytes: (await stat(dest)).size, sha256: await sha256File(dest) };
}

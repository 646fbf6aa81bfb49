// `vs-agent-db restore-backup FILE --force`: the undo of a replaced target. It
// puts a backup that BackupDatabase took (`vsctl migrate --replace-target`)
// back as the database it was taken from. What that database holds now is
// backed up first, beside the others, so the restore can be undone the same
// way. The database is dropped and created again with its owner, then the dump
// is restored as that owner: it comes back exactly as it was backed up.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import pg from 'pg';
import { VsError, fromPgError } from '../shared/errors.js';
import { backupStamp } from '../shared/env-file.js';
import { dumpDatabase, pgDump, pgRestore, sha256File } from '../shared/pg-dump.js';
import { readSecretFile } from '../shared/secret-file.js';
import type { AgentDbConfig } from './config.js';

export async function restoreBackup(config: AgentDbConfig, dump: string, say: (line: string) => void): Promise<void> {
  const p = config.postgres;
  const password = p.passwordFile ? await readSecretFile(p.passwordFile, 'PostgreSQL password file') : undefined;
  const database = dumpDatabase(dump);
  say(`backup ${dump} (sha256 ${await sha256File(dump)}) of database ${database}`);
  const admin = new pg.Client({
    host: p.host,
    port: p.port,
    user: p.user,
    database: p.database,
    password,
    connectionTimeoutMillis: p.connectTimeoutMs,
    application_name: 'vs-agent-db restore',
  });
  admin.on('error', () => {});
  try {
    await admin.connect();
    const r = await admin.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [database],
    );
    const owner = r.rows[0]?.owner ?? config.bootstrap.ownerRole;
    const source = { host: p.host, port: p.port, user: p.user, password, database };
    if (r.rows[0]) {
      const dir = join(config.stateDir, 'backups');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const before = await pgDump(source, join(dir, `${database}-before-restore-${backupStamp(new Date())}.dump`));
      say(
        `  +    backed up what ${database} holds now: ${before.path} (${before.bytes} bytes, sha256 ${before.sha256})`,
      );
      await admin.query(`DROP DATABASE ${pg.escapeIdentifier(database)} WITH (FORCE)`);
      say(`  -    database ${database}`);
    }
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)} OWNER ${pg.escapeIdentifier(owner)}`);
    say(`  +    database ${database} owned by ${owner}, empty`);
    await pgRestore(source, dump, owner);
    say(`  +    restored ${dump} into ${database} as ${owner}`);
  } catch (err) {
    throw err instanceof VsError ? err : fromPgError(err, `restore ${dump}`);
  } finally {
    await admin.end().catch(() => {});
  }
}

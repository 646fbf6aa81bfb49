// Running the engine as a real process (vs-agent-app migrate-local) against a
// test cluster, and reading databases back in comparable form.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanEnv, runProgram } from './agents.js';
import type { RunResult } from './agents.js';
import type { PgCluster } from './postgres.js';

/** A 0600 file holding the URL of a database on the cluster (the password stays out of argv). */
export function urlFile(dir: string, pg: PgCluster, database: string): string {
  const path = join(dir, `${database}.url`);
  writeFileSync(path, `${pg.url(database)}\n`, { mode: 0o600 });
  return path;
}

/** The arguments every local command run takes: the SQLite file, schema.prisma, the target's URL file, the work directory. */
export function localArgs(sqlite: string, schema: string, databaseUrlFile: string, workDir: string): string[] {
  return ['--sqlite', sqlite, '--prisma-schema', schema, '--database-url-file', databaseUrlFile, '--work-dir', workDir];
}

export function migrateLocal(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runProgram(BIN.agentApp, ['migrate-local', ...args], cleanEnv(env));
}

/** Per table: row count and an md5 of every row in primary-key order, computed by PostgreSQL. */
export async function tableDigests(
  pg: PgCluster,
  database: string,
  tables: Array<{ name: string; pk: string[] }>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tables) {
    const order = t.pk.map((c) => `x."${c}"`).join(', ');
    const [r] = await pg.query<{ n: string; h: string }>(
      `SELECT count(*)::text AS n, md5(coalesce(string_agg(x::text, E'\\n' ORDER BY ${order}), '')) AS h FROM "${t.name}" x`,
      [],
      database,
    );
    out[t.name] = `${r!.n}:${r!.h}`;
  }
  return out;
}

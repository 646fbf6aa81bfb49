// `vs-agent-app migrate-local`: the migration engine with no agents, for
// developers, benchmarks and acceptance checks. Progress goes to stderr; with
// --json one summary goes to stdout. Exit 0 only when the database is complete.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VsError } from '../shared/errors.js';
import { EXIT } from '../shared/program.js';
import { migrate } from './engine/migrate.js';
import type { EngineEvent, MigrateSummary } from './engine/migrate.js';
import type { Finding } from './engine/lint.js';
import { targetFromUrl } from './engine/target.js';
import { ProgressPrinter } from './engine/progress-text.js';
import { parseLocalArgs } from './local-args.js';
import { writeReports } from './engine/report.js';
import { ensurePrivateDir } from '../shared/secret-file.js';
import { pgDump } from '../shared/pg-dump.js';
import { parseDatabaseUrl } from '../shared/database-url.js';
import { backupStamp } from '../shared/env-file.js';

export const MIGRATE_LOCAL_USAGE = `usage: vs-agent-app migrate-local --sqlite FILE --prisma-schema FILE
         (--database-url URL | --database-url-file FILE)
         [--replace] [--policy RULE=ACTION ...] [--jobs N] [--work-dir DIR] [--json]

Copies a VisionSuit SQLite file into an empty PostgreSQL database with the
schema Prisma would create. Runs again after a crash resume from the last
checkpoint. --database-url puts the password in the process list; prefer
--database-url-file (a 0600 file holding the URL).
`;

/**
 * The default work directory of a target: private to this user, under
 * $XDG_STATE_HOME (or ~/.local/state), never in a shared directory such as
 * /tmp where another user can guess the name and read the snapshot.
 */
export function workDirFor(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const u = new URL(url);
  const id = createHash('sha256').update(`${u.hostname}:${u.port}${u.pathname}`).digest('hex').slice(0, 12);
  const state = env['XDG_STATE_HOME'] || join(env['HOME'] || homedir(), '.local', 'state');
  return join(state, 'vsmigrate', `local-${id}`);
}

export async function migrateLocal(argv: string[]): Promise<number> {
  const parsed = await parseLocalArgs('migrate-local', MIGRATE_LOCAL_USAGE, argv, {
    replace: { type: 'boolean', default: false },
    jobs: { type: 'string' },
    'chunk-mb': { type: 'string' },
    'work-dir': { type: 'string' },
  });
  if (!parsed) return EXIT.ok;
  const { target: t, values } = parsed;
  const { url, schema, schemaText, policies } = t;
  const workDir = (values['work-dir'] as string | undefined) ?? workDirFor(url);
  await ensurePrivateDir(workDir);
  const printer = new ProgressPrinter(process.stderr);
  const findings: Finding[] = [];
  const onEvent = (e: EngineEvent) => {
    if (e.type === 'finding') findings.push(e.finding);
    printer.event(e);
  };
  printer.line(`migrating ${t.sqlite} into database "${new URL(url).pathname.slice(1)}" (work dir ${workDir})`);
  let summary: MigrateSummary;
  try {
    summary = await migrate({
      sqlitePath: t.sqlite,
      schema,
      schemaText,
      target: targetFromUrl(url),
      workDir,
      policies,
      replace: values['replace'] === true,
      jobs: values['jobs'] ? Number(values['jobs']) : undefined,
      chunkBytes: values['chunk-mb'] ? Number(values['chunk-mb']) * 1024 * 1024 : undefined,
      onEvent,
      beforeComplete: (done) => writeReports(workDir, done),
      backupTarget: async () => (await pgDump(parseDatabaseUrl(url), join(workDir, `target-backup-${backupStamp(new Date())}.dump`))).path,
    });
  } catch (err) {
    printer.done();
    if (err instanceof VsError && err.code === 'VS_ERR_LINT_FINDINGS') {
      await writeFile(join(workDir, 'findings.json'), JSON.stringify(findings, null, 2) + '\n', { mode: 0o600 });
      printer.findings(findings);
      process.stderr.write(`all findings: ${join(workDir, 'findings.json')}\n`);
      if (t.json) process.stdout.write(JSON.stringify({ ok: false, error: err.toInfo(), findings }) + '\n');
    }
    throw err;
  }
  printer.done();
  if (!summary.ok) await writeReports(workDir, summary);
  printer.summary(summary, workDir);
  if (t.json) {
    const { quarantined, ...rest } = summary;
    process.stdout.write(JSON.stringify({ ...rest, quarantinedRows: quarantined.length, workDir }) + '\n');
  }
  return summary.ok ? EXIT.ok : EXIT.failure;
}

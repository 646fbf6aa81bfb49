// `vs-agent-app migrate-local`: the migration engine with no agents, for
// developers, benchmarks and acceptance checks. Progress goes to stderr; with
// --json one summary goes to stdout. Exit 0 only when the database is complete.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VsError } from '../../shared/errors.js';
import { EXIT } from '../../shared/program.js';
import { migrate } from '../engine/migrate.js';
import type { EngineEvent, MigrateSummary } from '../engine/migrate.js';
import type { Finding } from '../engine/lint.js';
import { targetFromUrl } from '../engine/target.js';
import { LiveView } from '../../shared/live-view.js';
import { operationEventOf } from '../engine/events.js';
import { parseLocalArgs } from './args.js';
import { writeReports } from '../engine/report.js';
import { ensurePrivateDir } from '../../shared/secret-file.js';
import { pgDump } from '../../shared/pg-dump.js';
import { parseDatabaseUrl } from '../../shared/database-url.js';
import { backupStamp } from '../../shared/env-file.js';

export const MIGRATE_LOCAL_USAGE = `usage: vs-agent-app migrate-local --sqlite FILE --prisma-schema FILE
         (--database-url URL | --database-url-file FILE)
         [--replace] [--policy RULE=ACTION ...] [--drift POLICY ...] [--jobs N] [--work-dir DIR] [--json]

Copies a VisionSuit SQLite file into an empty PostgreSQL database with the
schema Prisma would create. Runs again after a crash resume from the last
checkpoint. --database-url puts the password in the process list; prefer
--database-url-file (a 0600 file holding the URL). Where the file's structure
differs from schema.prisma (foreign key actions, indexes, nullability), the
schema is followed; --drift keep-file keeps the file's, --drift OBJECT=keep-file
one difference's.
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
    drift: { type: 'string', multiple: true, default: [] },
  });
  if (!parsed) return EXIT.ok;
  const { target: t, values } = parsed;
  const { url, schema, schemaText, policies } = t;
  const workDir = (values['work-dir'] as string | undefined) ?? workDirFor(url);
  await ensurePrivateDir(workDir);
  const view = new LiveView(process.stderr);
  const findings: Finding[] = [];
  const onEvent = (e: EngineEvent) => {
    // Findings are listed together once the lint is done (printFindings).
    if (e.type === 'finding') findings.push(e.finding);
    else view.event(operationEventOf(e));
  };
  view.print(`migrating ${t.sqlite} into database "${new URL(url).pathname.slice(1)}" (work dir ${workDir})`);
  let summary: MigrateSummary;
  try {
    summary = await migrate({
      sqlitePath: t.sqlite,
      schema,
      schemaText,
      target: targetFromUrl(url),
      workDir,
      policies,
      drift: values['drift'] as string[],
      replace: values['replace'] === true,
      jobs: values['jobs'] ? Number(values['jobs']) : undefined,
      chunkBytes: values['chunk-mb'] ? Number(values['chunk-mb']) * 1024 * 1024 : undefined,
      onEvent,
      beforeComplete: (done) => writeReports(workDir, done),
      backupTarget: async () =>
        (await pgDump(parseDatabaseUrl(url), join(workDir, `target-backup-${backupStamp(new Date())}.dump`))).path,
    });
  } catch (err) {
    view.done();
    if (err instanceof VsError && err.code === 'VS_ERR_LINT_FINDINGS') {
      await writeFile(join(workDir, 'findings.json'), JSON.stringify(findings, null, 2) + '\n', { mode: 0o600 });
      printFindings(view, findings);
      process.stderr.write(`all findings: ${join(workDir, 'findings.json')}\n`);
      if (t.json) process.stdout.write(JSON.stringify({ ok: false, error: err.toInfo(), findings }) + '\n');
    }
    throw err;
  }
  view.done();
  if (!summary.ok) await writeReports(workDir, summary);
  printSummary(view, summary, workDir);
  if (t.json) {
    const { quarantined, ...rest } = summary;
    process.stdout.write(JSON.stringify({ ...rest, quarantinedRows: quarantined.length, workDir }) + '\n');
  }
  return summary.ok ? EXIT.ok : EXIT.failure;
}

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

/** The lint's findings, with table, key, column and rule; the first 30 (all of them are in findings.json). */
function printFindings(view: LiveView, findings: Finding[]): void {
  const shown = findings.slice(0, 30);
  view.print(`findings (${findings.length}):`);
  for (const f of shown)
    view.print(
      `  ${f.table} [${f.key}] ${f.column}: ${f.rule} ${f.excerpt} → ${f.action}${f.note ? ` (${f.note})` : ''}`,
    );
  if (findings.length > shown.length) view.print(`  … and ${findings.length - shown.length} more`);
}

/** How the run ended, and where its report and Prisma baseline are. */
function printSummary(view: LiveView, s: MigrateSummary, workDir: string): void {
  if (s.ok)
    view.print(
      `done: ${s.rows} rows, ${mb(s.bytes)} MB in ${s.seconds.toFixed(1)} s, verified equal; ${s.quarantined.length} row(s) quarantined, ${s.repairs.length} value(s) repaired`,
    );
  else if (s.verification) {
    const bad = s.verification.tables.filter((t) => !t.equal).map((t) => t.table);
    const checks = s.verification.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    view.print(`copied ${s.rows} rows, but VERIFICATION FOUND DIFFERENCES: ${[...bad, ...checks].join('; ')}`);
    view.print('  the database is not accepted; the report names the rows and columns');
  } else view.print(`stopped at a checkpoint after ${s.rows} rows; run the same command again to resume`);
  if (s.widened.length) view.print(`  widened to BIGINT (int-overflow-widen): ${s.widened.join(', ')}`);
  view.print(`  report: ${workDir}/report.md; Prisma baseline: ${s.migration.dir}/migration.sql`);
}

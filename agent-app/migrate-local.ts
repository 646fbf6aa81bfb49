// `vs-agent-app migrate-local`: the migration engine with no agents, for
// developers, benchmarks and acceptance checks. Progress goes to stderr; with
// --json one summary goes to stdout. Exit 0 only when the database is complete.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VsError } from '../shared/errors.js';
import { EXIT } from '../shared/program.js';
import { readSecretFile } from '../shared/secret-file.js';
import { migrate } from './engine/migrate.js';
import type { EngineEvent, MigrateSummary } from './engine/migrate.js';
import type { Finding } from './engine/lint.js';
import { parsePolicies } from './engine/lint.js';
import { parseSchema } from './engine/prisma-schema.js';
import { targetFromUrl } from './engine/target.js';
import { ProgressPrinter } from './engine/progress-text.js';
import { renderMarkdown } from './engine/report.js';
import { pgDump } from './engine/backup.js';
import { backupStamp } from '../shared/env-file.js';

export const MIGRATE_LOCAL_USAGE = `usage: vs-agent-app migrate-local --sqlite FILE --prisma-schema FILE
         (--database-url URL | --database-url-file FILE)
         [--replace] [--policy RULE=ACTION ...] [--jobs N] [--work-dir DIR] [--json]

Copies a VisionSuit SQLite file into an empty PostgreSQL database with the
schema Prisma would create. Runs again after a crash resume from the last
checkpoint. --database-url puts the password in the process list; prefer
--database-url-file (a 0600 file holding the URL).
`;

function workDirFor(url: string): string {
  const u = new URL(url);
  const id = createHash('sha256').update(`${u.hostname}:${u.port}${u.pathname}`).digest('hex').slice(0, 12);
  return join(tmpdir(), `vsmigrate-local-${id}`);
}

export async function migrateLocal(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sqlite: { type: 'string' },
      'prisma-schema': { type: 'string' },
      'database-url': { type: 'string' },
      'database-url-file': { type: 'string' },
      replace: { type: 'boolean', default: false },
      policy: { type: 'string', multiple: true, default: [] },
      jobs: { type: 'string' },
      'chunk-mb': { type: 'string' },
      'work-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(MIGRATE_LOCAL_USAGE);
    return EXIT.ok;
  }
  if (!values.sqlite || !values['prisma-schema'] || (!values['database-url'] && !values['database-url-file'])) {
    throw new VsError('VS_ERR_USAGE', `migrate-local needs --sqlite, --prisma-schema and --database-url or --database-url-file\n${MIGRATE_LOCAL_USAGE}`);
  }
  const url = values['database-url'] ?? (await readSecretFile(values['database-url-file']!, 'database URL file'));
  const schemaText = await readFile(values['prisma-schema'], 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new VsError('VS_ERR_SCHEMA_INVALID', `cannot read ${values['prisma-schema']}: ${err.code ?? err.message}`);
  });
  const schema = parseSchema(schemaText, values['prisma-schema']);
  const policies = parsePolicies(values.policy ?? [], schema);
  const workDir = values['work-dir'] ?? workDirFor(url);
  const printer = new ProgressPrinter(process.stderr);
  const findings: Finding[] = [];
  const onEvent = (e: EngineEvent) => {
    if (e.type === 'finding') findings.push(e.finding);
    printer.event(e);
  };
  printer.line(`migrating ${values.sqlite} into database "${new URL(url).pathname.slice(1)}" (work dir ${workDir})`);
  let summary: MigrateSummary;
  try {
    summary = await migrate({
      sqlitePath: values.sqlite,
      schema,
      schemaText,
      target: targetFromUrl(url),
      workDir,
      policies,
      replace: values.replace ?? false,
      jobs: values.jobs ? Number(values.jobs) : undefined,
      chunkBytes: values['chunk-mb'] ? Number(values['chunk-mb']) * 1024 * 1024 : undefined,
      onEvent,
      backupTarget: async () => (await pgDump(url, join(workDir, `target-backup-${backupStamp(new Date())}.dump`))).path,
    });
  } catch (err) {
    printer.done();
    if (err instanceof VsError && err.code === 'VS_ERR_LINT_FINDINGS') {
      await writeFile(join(workDir, 'findings.json'), JSON.stringify(findings, null, 2) + '\n');
      printer.findings(findings);
      process.stderr.write(`all findings: ${join(workDir, 'findings.json')}\n`);
      if (values.json) process.stdout.write(JSON.stringify({ ok: false, error: err.toInfo(), findings }) + '\n');
    }
    throw err;
  }
  printer.done();
  await writeFile(join(workDir, 'report.json'), JSON.stringify(summary, null, 2) + '\n');
  await writeFile(join(workDir, 'report.md'), renderMarkdown(summary));
  printer.summary(summary, workDir);
  if (values.json) {
    const { quarantined, ...rest } = summary;
    process.stdout.write(JSON.stringify({ ...rest, quarantinedRows: quarantined.length, workDir }) + '\n');
  }
  return summary.ok ? EXIT.ok : EXIT.failure;
}

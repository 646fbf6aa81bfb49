// `vs-agent-app verify-local`: compare a PostgreSQL database with the SQLite
// file it was migrated from, with no agents — for re-verifying days later.
// The same policies as the migration give the same expected values
// (quarantined rows are not expected, repaired values are).
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { VsError } from '../shared/errors.js';
import { EXIT } from '../shared/program.js';
import { readSecretFile } from '../shared/secret-file.js';
import { lintSnapshot, parsePolicies } from './engine/lint.js';
import { parseSchema } from './engine/prisma-schema.js';
import { openSnapshot } from './engine/snapshot.js';
import { targetFromUrl } from './engine/target.js';
import { verify } from './engine/verify.js';
import { renderVerification } from './engine/report.js';

export const VERIFY_LOCAL_USAGE = `usage: vs-agent-app verify-local --sqlite FILE --prisma-schema FILE
         (--database-url URL | --database-url-file FILE) [--policy RULE=ACTION ...]
         [--max-differences N] [--report FILE.md] [--json]

Compares every value of the PostgreSQL database with the SQLite file (opened
read-only), naming the rows and columns that differ. Exit 0 only when every
table is equal and the catalog checks pass.
`;

export async function verifyLocal(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sqlite: { type: 'string' },
      'prisma-schema': { type: 'string' },
      'database-url': { type: 'string' },
      'database-url-file': { type: 'string' },
      policy: { type: 'string', multiple: true, default: [] },
      'max-differences': { type: 'string' },
      report: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(VERIFY_LOCAL_USAGE);
    return EXIT.ok;
  }
  if (!values.sqlite || !values['prisma-schema'] || (!values['database-url'] && !values['database-url-file'])) {
    throw new VsError('VS_ERR_USAGE', `verify-local needs --sqlite, --prisma-schema and --database-url or --database-url-file\n${VERIFY_LOCAL_USAGE}`);
  }
  const url = values['database-url'] ?? (await readSecretFile(values['database-url-file']!, 'database URL file'));
  const schemaText = await readFile(values['prisma-schema'], 'utf8');
  const schema = parseSchema(schemaText, values['prisma-schema']);
  const policies = parsePolicies(values.policy ?? [], schema);
  const db = openSnapshot(values.sqlite);
  try {
    process.stderr.write(`• lint (to know which rows the migration held back or repaired) ...\n`);
    const lint = lintSnapshot(db, schema, policies);
    process.stderr.write(`• verify ...\n`);
    const report = await verify({
      db,
      schema,
      target: targetFromUrl(url),
      plan: lint.plan,
      maxDifferences: values['max-differences'] ? Number(values['max-differences']) : undefined,
      onTable: (t) => process.stderr.write(`  ${t.table}: ${t.equal ? 'equal' : 'DIFFERENT'} (${t.rows.source} / ${t.rows.target} rows)\n`),
    });
    const md = renderVerification(report).join('\n') + '\n';
    if (values.report) await writeFile(values.report, md);
    process.stderr.write(md);
    if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
    return report.ok ? EXIT.ok : EXIT.failure;
  } finally {
    db.close();
  }
}

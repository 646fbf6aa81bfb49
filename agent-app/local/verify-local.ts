// `vs-agent-app verify-local`: compare a PostgreSQL database with the SQLite
// file it was migrated from, with no agents — for re-verifying days later.
// The same policies as the migration give the same expected values
// (quarantined rows are not expected, repaired values are).
import { writeFile } from 'node:fs/promises';
import { EXIT } from '../../shared/program.js';
import { lintSnapshot } from '../engine/lint.js';
import { openSnapshot } from '../engine/snapshot.js';
import { targetFromUrl } from '../engine/target.js';
import { verify } from '../engine/verify.js';
import { renderVerification } from '../engine/report.js';
import { parseLocalArgs } from './args.js';

export const VERIFY_LOCAL_USAGE = `usage: vs-agent-app verify-local --sqlite FILE --prisma-schema FILE
         (--database-url URL | --database-url-file FILE) [--policy RULE=ACTION ...]
         [--max-differences N] [--report FILE.md] [--json]

Compares every value of the PostgreSQL database with the SQLite file (opened
read-only), naming the rows and columns that differ. Exit 0 only when every
table is equal and the catalog checks pass.
`;

export async function verifyLocal(argv: string[]): Promise<number> {
  const parsed = await parseLocalArgs('verify-local', VERIFY_LOCAL_USAGE, argv, {
    'max-differences': { type: 'string' },
    report: { type: 'string' },
  });
  if (!parsed) return EXIT.ok;
  const { target: t, values } = parsed;
  const { url, schema, policies } = t;
  const db = openSnapshot(t.sqlite);
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
      onTable: (t) =>
        process.stderr.write(
          `  ${t.table}: ${t.equal ? 'equal' : 'DIFFERENT'} (${t.rows.source} / ${t.rows.target} rows)\n`,
        ),
    });
    const md = renderVerification(report).join('\n') + '\n';
    if (values['report']) await writeFile(values['report'] as string, md);
    process.stderr.write(md);
    if (t.json) process.stdout.write(JSON.stringify(report) + '\n');
    return report.ok ? EXIT.ok : EXIT.failure;
  } finally {
    db.close();
  }
}

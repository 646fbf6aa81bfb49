// `vsctl verify [<run>]`, inside agent-app: verify again, days later, that the
// database still equals the snapshot a migration copied. The run's own
// snapshot (in its directory) and policies give the expected values; the
// target is reached through the link, as the migration reached it.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrateRequest__Output } from '../../proto/gen/vsmigrate/app/v1/MigrateRequest.js';
import { VsError } from '../../shared/errors.js';
import type { OpBody, OpOutcome, Operations } from './operations.js';
import type { CutoverDeps } from './common.js';
import { targetThroughLink } from './common.js';
import { lintSnapshot, parsePolicies, policySpecs } from '../engine/lint.js';
import { readSchemaFile } from '../engine/prisma-schema.js';
import { openSnapshot } from '../engine/snapshot.js';
import { verify } from '../engine/verify.js';
import { renderVerification } from '../engine/report.js';

/** The run to verify: the one named, or the last migration that succeeded. */
export function runToVerify(ops: Operations, runId: string): string {
  const id = runId || ops.lastSucceededMigration();
  if (!id) throw new VsError('VS_ERR_NOT_FOUND', 'no migration has succeeded here; there is nothing to verify');
  const op = ops.get(id);
  if (op.kind !== 'migrate')
    throw new VsError('VS_ERR_NOT_FOUND', `${id} is a ${op.kind}; only a migration can be verified`);
  if (!existsSync(expectedImage(ops, id)))
    throw new VsError('VS_ERR_NOT_FOUND', `${id} has no snapshot in ${ops.runDir(id)}`);
  return id;
}

/** What the database must equal: the frozen file's image of an online run, the snapshot of an offline one. */
function expectedImage(ops: Operations, runId: string): string {
  return ops.journal.load<string>(runId, 'finalImage') ?? join(ops.runDir(runId), 'snapshot.db');
}

export function verifyBody(deps: CutoverDeps, ops: Operations, runId: string): OpBody {
  const { config, paired } = deps;
  return async (ctx): Promise<OpOutcome> => {
    const request = (
      ops.journal.get(runId) ? JSON.parse(ops.journal.get(runId)!.request) : {}
    ) as Partial<MigrateRequest__Output>;
    const schema = await readSchemaFile(config.prismaSchema);
    const db = openSnapshot(expectedImage(ops, runId));
    try {
      const lint = await ctx.step(
        'lint',
        async () => lintSnapshot(db, schema, parsePolicies(policySpecs(request.policies ?? []), schema)),
        () => `the expected values of ${runId}'s snapshot`,
      );
      const report = await ctx.step(
        'verify',
        () => verify({ db, schema, target: targetThroughLink(paired), plan: lint.plan }),
        (v) =>
          v.ok
            ? `every table equal, ${v.checks.length} catalog checks passed`
            : `${v.tables.filter((t) => !t.equal).length} table(s) differ`,
      );
      await writeFile(join(ctx.runDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
      await writeFile(
        join(ctx.runDir, 'report.md'),
        `# Verification of ${runId}\n\n` + renderVerification(report).join('\n') + '\n',
      );
      if (!report.ok)
        return {
          state: 'failed',
          error: new VsError(
            'VS_ERR_VERIFY_DIFFERENT',
            `the database differs from ${runId}'s snapshot; vsctl report ${ctx.id} names the rows`,
          ),
        };
      return { state: 'succeeded' };
    } finally {
      db.close();
    }
  };
}

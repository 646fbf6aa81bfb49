// The operations agent-app serves, as the handlers buildAgentApp takes, and
// the policy for an operation the previous process left running: a migration
// continues from its journal (or rolls back); any other is marked failed.
import { hostname } from 'node:os';
import type { MigrateRequest__Output } from '../../proto/gen/vsmigrate/app/v1/MigrateRequest.js';
import { VsError } from '../../shared/errors.js';
import type { PairRequest__Output } from '../../proto/gen/vsmigrate/app/v1/PairRequest.js';
import type { PairResponse } from '../../proto/gen/vsmigrate/app/v1/PairResponse.js';
import type { PreflightRequest__Output } from '../../proto/gen/vsmigrate/app/v1/PreflightRequest.js';
import type { PreflightReport } from '../../proto/gen/vsmigrate/app/v1/PreflightReport.js';
import type { Operation } from '../../proto/gen/vsmigrate/app/v1/Operation.js';
import type { RollbackRequest__Output } from '../../proto/gen/vsmigrate/app/v1/RollbackRequest.js';
import type { InstallRequest__Output } from '../../proto/gen/vsmigrate/app/v1/InstallRequest.js';
import type { PrismaSwitchRequest__Output } from '../../proto/gen/vsmigrate/app/v1/PrismaSwitchRequest.js';
import type { RehearseRequest__Output } from '../../proto/gen/vsmigrate/app/v1/RehearseRequest.js';
import type { VerifyRequest__Output } from '../../proto/gen/vsmigrate/app/v1/VerifyRequest.js';
import type { CutoverDeps } from './common.js';
import type { Operations } from './operations.js';
import { migrateBody } from './migrate.js';
import { rollbackBody, runToRollBack } from './rollback.js';
import { installBody } from './install.js';
import { prismaSwitchBody } from './prisma-switch.js';
import { rehearseBody } from './rehearse.js';
import { runToVerify, verifyBody } from './verify.js';
import { pair } from './pair.js';
import { preflightFor } from './preflight.js';

/** What each RPC that starts or answers an operation does; long ones return at once with the operation's id. */
export interface OperationHandlers {
  pair: (request: PairRequest__Output) => Promise<PairResponse>;
  preflight: (request: PreflightRequest__Output) => Promise<PreflightReport>;
  migrate: (request: MigrateRequest__Output) => Operation;
  rollback: (request: RollbackRequest__Output) => Operation;
  install: (request: InstallRequest__Output) => Operation;
  prismaSwitch: (request: PrismaSwitchRequest__Output) => Operation;
  rehearse: (request: RehearseRequest__Output) => Operation;
  verify: (request: VerifyRequest__Output) => Operation;
}

export function operationHandlers(deps: CutoverDeps, operations: Operations): OperationHandlers {
  const { config, paired, log } = deps;
  return {
    migrate: (req) => {
      if (req.offline && req.pauseBeforeFreeze)
        throw new VsError(
          'VS_ERR_USAGE',
          '--pause-before-freeze waits between the online catch-up and the freeze; --offline has no catch-up',
        );
      return operations.start('migrate', req, migrateBody(deps, req));
    },
    rollback: (req) => {
      const runId = runToRollBack(operations, req.runId);
      return operations.start('rollback', { ...req, runId }, rollbackBody(deps, operations, req, runId));
    },
    install: (req) => operations.start('install', req, installBody(deps)),
    prismaSwitch: (req) => operations.start('prisma-switch', req, prismaSwitchBody(deps, operations)),
    rehearse: (req) => operations.start('rehearse', req, rehearseBody(deps, req, hostname())),
    verify: (req) => {
      const runId = runToVerify(operations, req.runId);
      return operations.start('verify', { runId }, verifyBody(deps, operations, runId));
    },
    pair: async (req) => {
      // A new pairing replaces the link an operation may be using.
      const busy = operations.running;
      if (busy)
        throw new VsError(
          'VS_ERR_OPERATION_RUNNING',
          `operation ${busy.id} (${busy.kind}) is running; pair again once it has ended`,
          { details: { id: busy.id ?? '' } },
        );
      const { pairing, response } = await pair({
        bundlePath: req.bundlePath,
        pairingFile: config.pairingFile,
        link: config.link,
        callTimeoutMs: config.callTimeoutMs,
        log,
      });
      await paired.use(pairing);
      // The connector reads the pairing at start: restart it, when this host has it as a unit.
      const unit = pairing.connectorService ?? 'visionsuit-external-connector.service';
      let restarted = false;
      try {
        if ((await deps.services.state(unit)).exists) {
          await deps.services.restart(unit);
          restarted = true;
        }
      } catch (err) {
        log.warn(
          { unit, errMessage: (err as Error).message },
          'could not restart the external connector after pairing',
        );
      }
      return { ...response, connectorRestarted: restarted, connectorUnit: unit };
    },
    preflight: (req) => preflightFor(config, paired, req.sqlitePath || config.sqlitePath),
  };
}

/** Continue, or mark failed, what the previous process left running. */
export function resumeInterrupted(deps: CutoverDeps, operations: Operations): void {
  const { log } = deps;
  for (const op of operations.interrupted()) {
    if (op.kind === 'migrate')
      operations.resume(op.id, op.request, migrateBody(deps, op.request as MigrateRequest__Output));
    else {
      operations.journal.update(op.id, {
        state: 'failed',
        finished_at: new Date().toISOString(),
        error: JSON.stringify({
          code: 'VS_ERR_INTERRUPTED',
          message: `agent-app restarted during this ${op.kind}; run it again`,
          hint: '',
        }),
      });
      log.warn({ operation: op.id }, 'an interrupted operation cannot resume; marked failed');
    }
  }
}

// Builds agent-app's gRPC server without touching `process`, so tests can run it
// in-process. Its health is NOT_SERVING whenever the SSH link is not up.
import * as grpc from '@grpc/grpc-js';
import type { AgentAppHandlers } from '../proto/gen/vsmigrate/app/v1/AgentApp.js';
import { HealthImplementation, loadContract, unary } from '../shared/grpc.js';
import type { Logger } from '../shared/logger.js';
import { toServiceError, toVsError } from '../shared/errors.js';
import { getStatus } from './get-status.js';
import type { PairRequest__Output } from '../proto/gen/vsmigrate/app/v1/PairRequest.js';
import type { PairResponse } from '../proto/gen/vsmigrate/app/v1/PairResponse.js';
import type { PreflightRequest__Output } from '../proto/gen/vsmigrate/app/v1/PreflightRequest.js';
import type { PreflightReport } from '../proto/gen/vsmigrate/app/v1/PreflightReport.js';
import type { StatusSources } from './get-status.js';
import type { Operations } from './operations.js';
import type { Operation } from '../proto/gen/vsmigrate/app/v1/Operation.js';
import type { MigrateRequest__Output } from '../proto/gen/vsmigrate/app/v1/MigrateRequest.js';
import type { RollbackRequest__Output } from '../proto/gen/vsmigrate/app/v1/RollbackRequest.js';
import type { InstallRequest__Output } from '../proto/gen/vsmigrate/app/v1/InstallRequest.js';
import type { RehearseRequest__Output } from '../proto/gen/vsmigrate/app/v1/RehearseRequest.js';
import type { VerifyRequest__Output } from '../proto/gen/vsmigrate/app/v1/VerifyRequest.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const AGENT_APP_SERVICE = 'vsmigrate.app.v1.AgentApp';

export interface AgentAppDeps {
  log: Logger;
  /** Read at each call: the sources change as the link and lifecycle move. */
  statusSources: () => StatusSources;
  pair: (request: PairRequest__Output) => Promise<PairResponse>;
  preflight: (request: PreflightRequest__Output) => Promise<PreflightReport>;
  operations: Operations;
  /** Start a long operation; each returns at once with the operation's id. */
  migrate: (request: MigrateRequest__Output) => Operation;
  rollback: (request: RollbackRequest__Output) => Operation;
  install: (request: InstallRequest__Output) => Operation;
  rehearse: (request: RehearseRequest__Output) => Operation;
  verify: (request: VerifyRequest__Output) => Operation;
}

export interface AgentApp {
  server: grpc.Server;
  setHealth(status: 'SERVING' | 'NOT_SERVING'): void;
}

export function buildAgentApp(deps: AgentAppDeps): AgentApp {
  const { log } = deps;
  const server = new grpc.Server();
  const health = new HealthImplementation({ '': 'NOT_SERVING', [AGENT_APP_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);

  const handlers: AgentAppHandlers = {
    GetStatus: unary(log, 'GetStatus', () => getStatus(deps.statusSources())),
    Pair: unary(log, 'Pair', (req) => deps.pair(req)),
    Preflight: unary(log, 'Preflight', (req) => deps.preflight(req)),
    Migrate: unary(log, 'Migrate', async (req) => deps.migrate(req)),
    Rollback: unary(log, 'Rollback', async (req) => deps.rollback(req)),
    Install: unary(log, 'Install', async (req) => deps.install(req)),
    Rehearse: unary(log, 'Rehearse', async (req) => deps.rehearse(req)),
    Verify: unary(log, 'Verify', async (req) => deps.verify(req)),
    ListRuns: unary(log, 'ListRuns', async (req) => ({ runs: deps.operations.list(req.limit > 0 ? req.limit : 20) })),
    GetReport: unary(log, 'GetReport', async (req) => {
      const op = deps.operations.get(req.runId);
      const dir = deps.operations.runDir(req.runId);
      const read = (name: string) => readFile(join(dir, name), 'utf8').catch(() => '');
      return { runId: op.id, json: await read('report.json'), markdown: await read('report.md') };
    }),
    Cancel: unary(log, 'Cancel', async (req) => deps.operations.cancel(req.operationId)),
    Watch: (call) => {
      try {
        const stop = deps.operations.watch(
          call.request.operationId,
          Number(call.request.afterSequence || 0),
          (e) => call.write(e),
          () => call.end(),
        );
        call.on('cancelled', stop);
      } catch (err) {
        call.emit('error', toServiceError(toVsError(err)));
      }
    },
  };
  server.addService(loadContract().app.vsmigrate.app.v1.AgentApp.service, handlers);

  let last: string | null = null;
  return {
    server,
    setHealth(status) {
      health.setStatus('', status);
      health.setStatus(AGENT_APP_SERVICE, status);
      if (status !== last) log.info({ health: status }, 'health changed');
      last = status;
    },
  };
}

// Builds agent-app's gRPC server without touching `process`, so tests can run it
// in-process. Its health is NOT_SERVING whenever the SSH link is not up.
import * as grpc from '@grpc/grpc-js';
import type { AgentAppHandlers } from '../proto/gen/vsmigrate/app/v1/AgentApp.js';
import { HealthImplementation, loadContract, unary } from '../shared/grpc.js';
import type { Logger } from '../shared/logger.js';
import { toServiceError, toVsError } from '../shared/errors.js';
import { getStatus } from './ops/status.js';
import type { StatusSources } from './ops/status.js';
import type { Operations } from './ops/operations.js';
import type { OperationHandlers } from './ops/handlers.js';
import type { RehearsalReport } from './ops/rehearse.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const AGENT_APP_SERVICE = 'vsmigrate.app.v1.AgentApp';

export interface AgentAppDeps extends OperationHandlers {
  log: Logger;
  /** Read at each call: the sources change as the link and lifecycle move. */
  statusSources: () => StatusSources;
  operations: Operations;
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
    PrismaSwitch: unary(log, 'PrismaSwitch', async (req) => deps.prismaSwitch(req)),
    Rehearse: unary(log, 'Rehearse', async (req) => deps.rehearse(req)),
    Verify: unary(log, 'Verify', async (req) => deps.verify(req)),
    ListRuns: unary(log, 'ListRuns', async (req) => ({ runs: deps.operations.list(req.limit > 0 ? req.limit : 20) })),
    GetReport: unary(log, 'GetReport', async (req) => {
      const op = deps.operations.get(req.runId);
      const dir = deps.operations.runDir(req.runId);
      const read = (name: string) => readFile(join(dir, name), 'utf8').catch(() => '');
      const json = await read('report.json');
      // A rehearsal's report goes as its message too: vsctl reads that, never the agent's types.
      const rehearsal = op.kind === 'rehearse' && json ? (JSON.parse(json) as RehearsalReport) : null;
      return { runId: op.id, json, markdown: await read('report.md'), rehearsal };
    }),
    Cancel: unary(log, 'Cancel', async (req) => deps.operations.cancel(req.operationId)),
    Proceed: unary(log, 'Proceed', async (req) => deps.operations.proceed(req.operationId)),
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

// Builds agent-app's gRPC server without touching `process`, so tests can run it
// in-process. Its health is NOT_SERVING whenever the SSH link is not up.
import * as grpc from '@grpc/grpc-js';
import type { AgentAppHandlers } from '../proto/gen/vsmigrate/app/v1/AgentApp.js';
import { HealthImplementation, loadContract, unary, unimplemented } from '../shared/grpc.js';
import type { Logger } from '../shared/logger.js';
import { VsError, toServiceError } from '../shared/errors.js';
import { getStatus } from './get-status.js';
import type { PairRequest__Output } from '../proto/gen/vsmigrate/app/v1/PairRequest.js';
import type { PairResponse } from '../proto/gen/vsmigrate/app/v1/PairResponse.js';
import type { PreflightRequest__Output } from '../proto/gen/vsmigrate/app/v1/PreflightRequest.js';
import type { PreflightReport } from '../proto/gen/vsmigrate/app/v1/PreflightReport.js';
import type { StatusSources } from './get-status.js';

export const AGENT_APP_SERVICE = 'vsmigrate.app.v1.AgentApp';

export interface AgentAppDeps {
  log: Logger;
  /** Read at each call: the sources change as the link and lifecycle move. */
  statusSources: () => StatusSources;
  pair: (request: PairRequest__Output) => Promise<PairResponse>;
  preflight: (request: PreflightRequest__Output) => Promise<PreflightReport>;
}

export interface AgentApp {
  server: grpc.Server;
  setHealth(status: 'SERVING' | 'NOT_SERVING'): void;
}

const ENGINE = 'the migration engine (snapshot, schema, copy) is not built yet';
const CUTOVER = 'the cutover (freeze, switch, rollback) is not built yet';

export function buildAgentApp(deps: AgentAppDeps): AgentApp {
  const { log } = deps;
  const server = new grpc.Server();
  const health = new HealthImplementation({ '': 'NOT_SERVING', [AGENT_APP_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);

  const handlers: AgentAppHandlers = {
    GetStatus: unary(log, 'GetStatus', () => getStatus(deps.statusSources())),
    Pair: unary(log, 'Pair', (req) => deps.pair(req)),
    Preflight: unary(log, 'Preflight', (req) => deps.preflight(req)),
    Migrate: unimplemented(log, 'Migrate', CUTOVER),
    Rehearse: unimplemented(log, 'Rehearse', ENGINE),
    Verify: unimplemented(log, 'Verify', ENGINE),
    Rollback: unimplemented(log, 'Rollback', CUTOVER),
    Install: unimplemented(log, 'Install', CUTOVER),
    ListRuns: unimplemented(log, 'ListRuns', ENGINE),
    GetReport: unimplemented(log, 'GetReport', ENGINE),
    Cancel: unimplemented(log, 'Cancel', ENGINE),
    Watch: (call) => {
      const err = new VsError('VS_ERR_UNIMPLEMENTED', `Watch is not implemented yet: ${ENGINE}`);
      call.emit('error', toServiceError(err));
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

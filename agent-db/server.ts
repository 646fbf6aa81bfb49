// Builds agent-db's gRPC server without touching `process`, so tests can run it
// in-process. Every call, the health service included, must carry the token.
import * as grpc from '@grpc/grpc-js';
import type { AgentDbHandlers } from '../proto/gen/vsmigrate/db/v1/AgentDb.js';
import { HealthImplementation, loadContract, tokenInterceptor, unary, unimplemented } from '../shared/grpc.js';
import type { Logger } from '../shared/logger.js';
import { getStatus } from './get-status.js';
import type { Postgres } from './postgres.js';

export const AGENT_DB_SERVICE = 'vsmigrate.db.v1.AgentDb';

export interface AgentDbDeps {
  log: Logger;
  pg: Postgres;
  token: string;
  version: string;
  uptimeSeconds: () => number;
  healthPollMs: number;
}

export interface AgentDb {
  server: grpc.Server;
  health: HealthImplementation;
  /** Follow PostgreSQL reachability in the health service; resolves after the first check. */
  startHealthPolling(): Promise<void>;
  stopHealthPolling(): void;
  /** Mark every service NOT_SERVING (on shutdown). */
  notServing(): void;
}

const PROVISIONING = 'role, database, scratch and backup management arrive with agent-db provisioning';

export function buildAgentDb(deps: AgentDbDeps): AgentDb {
  const { log } = deps;
  const server = new grpc.Server({ interceptors: [tokenInterceptor(deps.token, log)] });
  const health = new HealthImplementation({ '': 'NOT_SERVING', [AGENT_DB_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);

  const handlers: AgentDbHandlers = {
    GetStatus: unary(log, 'GetStatus', () => getStatus(deps.pg, deps.version, deps.uptimeSeconds())),
    EnsureDatabase: unimplemented(log, 'EnsureDatabase', PROVISIONING),
    RotatePassword: unimplemented(log, 'RotatePassword', PROVISIONING),
    CreateScratchDatabase: unimplemented(log, 'CreateScratchDatabase', PROVISIONING),
    DropScratchDatabase: unimplemented(log, 'DropScratchDatabase', PROVISIONING),
    BackupDatabase: unimplemented(log, 'BackupDatabase', PROVISIONING),
    Maintain: unimplemented(log, 'Maintain', PROVISIONING),
  };
  server.addService(loadContract().db.vsmigrate.db.v1.AgentDb.service, handlers);

  let timer: NodeJS.Timeout | null = null;
  let last: string | null = null;
  const set = (status: 'SERVING' | 'NOT_SERVING') => {
    health.setStatus('', status);
    health.setStatus(AGENT_DB_SERVICE, status);
    if (status !== last) log.info({ health: status }, 'health changed');
    last = status;
  };
  const poll = async () => {
    try {
      await deps.pg.ping();
      set('SERVING');
    } catch (err) {
      if (last !== 'NOT_SERVING') log.warn({ errMessage: (err as Error).message }, 'PostgreSQL is not reachable');
      set('NOT_SERVING');
    }
  };

  return {
    server,
    health,
    async startHealthPolling() {
      const loop = () => {
        void poll().finally(() => {
          if (timer !== null) timer = setTimeout(loop, deps.healthPollMs);
        });
      };
      await poll();
      timer = setTimeout(loop, deps.healthPollMs);
    },
    stopHealthPolling() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
    notServing() {
      set('NOT_SERVING');
    },
  };
}

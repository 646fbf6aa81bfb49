// Builds agent-db's gRPC server without touching `process`, so tests can run it
// in-process. Every call, the health service included, must carry the token.
import * as grpc from '@grpc/grpc-js';
import type { AgentDbHandlers } from '../proto/gen/vsmigrate/db/v1/AgentDb.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HealthImplementation, loadContract, tokenInterceptor, unary } from '../shared/grpc.js';
import type { Logger } from '../shared/logger.js';
import { pgDump } from '../shared/pg-dump.js';
import { backupStamp } from '../shared/env-file.js';
import { getStatus } from './get-status.js';
import type { Postgres } from './postgres.js';
import {
  checkName,
  createScratchDatabase,
  dropScratchDatabase,
  ensureDatabase,
  loginCheck,
  rotatePassword,
} from './provision.js';

export const AGENT_DB_SERVICE = 'vsmigrate.db.v1.AgentDb';

export interface AgentDbDeps {
  log: Logger;
  pg: Postgres;
  token: string;
  version: string;
  uptimeSeconds: () => number;
  healthPollMs: number;
  /** Backups go to <stateDir>/backups. */
  stateDir: string;
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

export function buildAgentDb(deps: AgentDbDeps): AgentDb {
  const { log } = deps;
  const server = new grpc.Server({ interceptors: [tokenInterceptor(deps.token, log)] });
  const health = new HealthImplementation({ '': 'NOT_SERVING', [AGENT_DB_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);

  const handlers: AgentDbHandlers = {
    GetStatus: unary(log, 'GetStatus', () => getStatus(deps.pg, deps.version, deps.uptimeSeconds())),
    EnsureDatabase: unary(log, 'EnsureDatabase', async (req) => {
      const c = deps.pg.conn;
      // Drift is checked by logging in as the role over TCP, the path the app will take.
      const host = c.host.startsWith('/') ? '127.0.0.1' : c.host;
      const result = await ensureDatabase(deps.pg.pool, {
        database: req.database,
        owner: req.ownerRole,
        password: req.password,
        passwordCheck: loginCheck(host, c.port, req.database, c.connectTimeoutMs),
      });
      log.info({ database: req.database, role: req.ownerRole, changes: result.changes }, 'database ensured');
      return { changes: result.changes, password: result.password ?? '' };
    }),
    RotatePassword: unary(log, 'RotatePassword', async (req) => {
      const password = await rotatePassword(deps.pg.pool, req.role);
      log.info({ role: req.role }, 'password rotated');
      return { password };
    }),
    CreateScratchDatabase: unary(log, 'CreateScratchDatabase', async (req) => {
      const database = await createScratchDatabase(deps.pg.pool, req.label, req.ownerRole);
      log.info({ database, role: req.ownerRole }, 'scratch database created');
      return { database };
    }),
    DropScratchDatabase: unary(log, 'DropScratchDatabase', async (req) => {
      const dropped = await dropScratchDatabase(deps.pg.pool, req.database);
      log.info({ database: req.database, dropped }, 'scratch database dropped');
      return { dropped };
    }),
    BackupDatabase: unary(log, 'BackupDatabase', async (req) => {
      const database = checkName(req.database, 'database name');
      const dir = join(deps.stateDir, 'backups');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const facts = await deps.pg.facts();
      const now = new Date();
      const c = deps.pg.conn;
      const file = await pgDump(
        {
          host: c.host,
          port: c.port,
          user: c.user,
          password: c.password,
          database,
          serverMajor: Math.floor(facts.serverVersionNum / 10000),
        },
        join(dir, `${database}-${backupStamp(now)}.dump`),
      );
      log.info({ database, path: file.path, bytes: file.bytes, sha256: file.sha256 }, 'database backed up');
      return { path: file.path, sizeBytes: String(file.bytes), sha256: file.sha256, createdAt: now.toISOString() };
    }),
    Maintain: unary(log, 'Maintain', async (req) => {
      const database = checkName(req.database, 'database name');
      const started = Date.now();
      await deps.pg.withDatabase(database, (client) => client.query('VACUUM (ANALYZE)'));
      const seconds = (Date.now() - started) / 1000;
      log.info({ database, seconds }, 'vacuum analyze finished');
      return { seconds };
    }),
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

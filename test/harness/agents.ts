// The agents and vsctl as real processes, configured the way an operator would:
// config files, 0600 token and bundle files, a clean environment.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { checkHealth, tokenMetadata, loadContract, call } from '../../shared/grpc.js';
import { formatBundle } from '../../shared/bundle.js';
import type { AppStatus__Output } from '../../proto/gen/vsmigrate/app/v1/AppStatus.js';
import { ManagedProcess, pollUntil } from './proc.js';
import { freePort } from './system.js';
import type { PgCluster } from './postgres.js';
import type { Sshd } from './sshd.js';

const DIST = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = {
  agentDb: join(DIST, 'agent-db/main.js'),
  agentApp: join(DIST, 'agent-app/main.js'),
  vsctl: join(DIST, 'vsctl/main.js'),
  connector: join(DIST, 'connector/main.js'),
};

/** The environment a systemd unit would give: PATH, and NOTIFY_SOCKET when asked. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...extra };
}

export interface AgentDbHandle {
  proc: ManagedProcess;
  port: number;
  token: string;
  configPath: string;
}

export async function startAgentDb(
  dir: string,
  pg: PgCluster,
  options: { env?: Record<string, string>; config?: Record<string, unknown>; waitReady?: boolean } = {},
): Promise<AgentDbHandle> {
  const port = await freePort();
  const token = randomBytes(32).toString('hex');
  const tokenFile = join(dir, 'agent-db.token');
  writeFileSync(tokenFile, token + '\n', { mode: 0o600 });
  const configPath = join(dir, 'agent-db.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      port,
      tokenFile,
      stateDir: join(dir, 'agent-db-state'),
      healthPollMs: 200,
      postgres: {
        host: '127.0.0.1',
        port: pg.port,
        user: pg.superuser,
        passwordFile: pg.passwordFile(join(dir, 'pg-admin.pw')),
      },
      ...options.config,
    }),
  );
  const proc = new ManagedProcess('agent-db', process.execPath, [BIN.agentDb, '--config', configPath], {
    logPath: join(dir, 'agent-db.log'),
    env: cleanEnv(options.env),
  });
  if (options.waitReady !== false) {
    await pollUntil('agent-db to answer', async () => {
      if (!proc.running) throw new Error(`agent-db exited:\n${proc.output()}`);
      return (
        (await checkHealth(`127.0.0.1:${port}`, { metadata: tokenMetadata(token), deadlineMs: 1000 })) === 'SERVING'
      );
    });
  }
  return { proc, port, token, configPath };
}

export interface BundleInput {
  sshd: Sshd;
  pg: PgCluster;
  agentDb: AgentDbHandle;
  hostKey?: string;
}

export function bundleFields(b: BundleInput): Record<string, string | number> {
  return {
    SSH_HOST: '127.0.0.1',
    SSH_PORT: b.sshd.port,
    SSH_USER: b.sshd.user,
    SSH_PRIVATE_KEY_BASE64: b.sshd.clientKey.privateKey.toString('base64'),
    SSH_HOST_KEY: b.hostKey ?? b.sshd.hostKeyPublic,
    POSTGRES_INTERNAL_HOST: '127.0.0.1',
    POSTGRES_PORT: b.pg.port,
    POSTGRES_DB: 'visionsuit',
    POSTGRES_USER: 'visionsuit',
    POSTGRES_PASSWORD: randomBytes(24).toString('base64url'),
    AGENT_DB_PORT: b.agentDb.port,
    AGENT_DB_TOKEN: b.agentDb.token,
  };
}

export function writeBundle(path: string, fields: Record<string, string | number>, mode = 0o600): string {
  writeFileSync(path, formatBundle(fields), { mode });
  return path;
}

/** Short link timings and polls for agent-app and the connector, so tests see a drop within a second. */
const FAST_LINK = {
  agentDbPollMs: 200,
  callTimeoutMs: 3000,
  link: {
    keepaliveIntervalMs: 500,
    keepaliveCountMax: 2,
    connectTimeoutMs: 3000,
    reconnectInitialMs: 200,
    reconnectMaxMs: 1000,
  },
};

export interface AgentAppHandle {
  proc: ManagedProcess;
  socketPath: string;
  configPath: string;
}

export async function startAgentApp(
  dir: string,
  pairingFile: string,
  options: { env?: Record<string, string>; config?: Record<string, unknown>; waitReady?: boolean } = {},
): Promise<AgentAppHandle> {
  const socketPath = join(dir, 'run', 'vsctl.sock');
  const configPath = join(dir, 'agent-app.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      socketPath,
      stateDir: join(dir, 'agent-app-state'),
      pairingFile,
      ...FAST_LINK,
      ...options.config,
    }),
  );
  const proc = new ManagedProcess('agent-app', process.execPath, [BIN.agentApp, '--config', configPath], {
    logPath: join(dir, 'agent-app.log'),
    env: cleanEnv(options.env),
  });
  if (options.waitReady !== false) {
    await pollUntil('agent-app to answer', async () => {
      if (!proc.running) throw new Error(`agent-app exited:\n${proc.output()}`);
      await appStatus(socketPath);
      return true;
    });
  }
  return { proc, socketPath, configPath };
}

export interface ConnectorHandle {
  proc: ManagedProcess;
  port: number;
  httpPort: number;
  grpcPort: number;
  configPath: string;
}

/** The external connector on free ports, with the test's short link timings; ready when its health answers. */
export async function startConnector(
  dir: string,
  pairingFile: string,
  config: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<ConnectorHandle> {
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'connector.json');
  // Ports 0: the connector binds free ports itself and logs them. A port picked
  // here and bound later can be taken in between (by another test's client
  // connection), and a health check would then reach somebody else's connector.
  writeFileSync(
    configPath,
    JSON.stringify({
      listenPort: 0,
      httpPort: 0,
      grpcPort: 0,
      pairingFile,
      runDir: join(dir, 'ssh'),
      ...FAST_LINK,
      ...config,
    }),
  );
  const proc = new ManagedProcess('connector', process.execPath, [BIN.connector, '--config', configPath], {
    logPath: join(dir, 'connector.log'),
    env: cleanEnv(env),
  });
  const bound = await pollUntil('the connector to listen', async () => {
    if (!proc.running) throw new Error(`the connector exited:\n${proc.output()}`);
    return proc.logLines().find((l) => l['msg'] === 'connector listening') as
      { port: number; httpPort: number; grpcPort: number } | undefined;
  });
  return { proc, port: bound.port, httpPort: bound.httpPort, grpcPort: bound.grpcPort, configPath };
}

/** GetStatus straight from agent-app's socket. */
export async function appStatus(socketPath: string): Promise<AppStatus__Output> {
  const { app } = loadContract();
  const client = new app.vsmigrate.app.v1.AgentApp(`unix:${socketPath}`, grpc.credentials.createInsecure());
  try {
    return await call<AppStatus__Output>((md, opts, cb) => client.getStatus({}, md, opts, cb), { deadlineMs: 10_000 });
  } finally {
    client.close();
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run vsctl (or any of our programs) to completion. */
export function runProgram(bin: string, args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

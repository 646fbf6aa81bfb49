// A whole VisionSuit cutover stage on one machine: PostgreSQL with the owner
// role and database, agent-db, sshd, the external connector, agent-app, and a
// VisionSuit host laid out as in production (env files, backend/.env, the
// SQLite file) whose backend is the stand-in, run by the stand-in systemctl.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { BIN, bundleFields, cleanEnv, startAgentApp, startAgentDb, startConnector, writeBundle } from './agents.js';
import type { AgentAppHandle, AgentDbHandle, ConnectorHandle } from './agents.js';
import type { PgCluster } from './postgres.js';
import { Sshd } from './sshd.js';
import { startCluster } from './stage.js';
import type { Tracker } from './stage.js';
import { freePort, tempDir } from './system.js';
import { pollUntil } from './proc.js';
import { FIXTURE_SCHEMA, generateFixture } from '../fixtures/generate.js';
import type { Size } from '../fixtures/generate.js';
import { readBundleFile } from '../../shared/bundle.js';
import { ensureDatabase, verifierCheck } from '../../agent-db/provision.js';
import { ServiceManager } from '../../agent-app/host/service-manager.js';

const STANDIN = fileURLToPath(new URL('../standin/', import.meta.url));

export interface CutoverStage extends Omit<VisionSuitHost, 'config'> {
  dir: string;
  pg: PgCluster;
  agentDb: AgentDbHandle;
  sshd: Sshd;
  bundlePath: string;
  connector: ConnectorHandle;
  agentApp: AgentAppHandle;
  agentAppConfig: Record<string, unknown>;
}

export interface StageOptions {
  fixture?: Size | null;
  /** Extra lines for /etc/visionsuit/vs-backend.env. */
  backendEnv?: Record<string, string>;
  /** Start the backend before returning (default: when there is a SQLite file). */
  startBackend?: boolean;
  /** Extra agent-app settings. */
  agentApp?: Record<string, unknown>;
}

/** Start (again) agent-app with the stage's config, e.g. after killing it. */
export async function restartAgentApp(stage: CutoverStage, tracker: Tracker): Promise<AgentAppHandle> {
  stage.agentApp = await startAgentApp(stage.dir, stage.bundlePath, { config: stage.agentAppConfig });
  tracker.addProcess(stage.agentApp.proc);
  return stage.agentApp;
}

export interface VisionSuitHost {
  backendDir: string;
  sqlitePath: string;
  envFiles: string[];
  backendUrl: string;
  /** The stand-in systemctl, as agent-app runs it. */
  services: ServiceManager;
  systemctl: string;
  /** agent-app's settings for this host (paths, units, health URL). */
  config: Record<string, unknown>;
}

/**
 * A VisionSuit host laid out as in production under `dir`: backend/prisma with
 * schema.prisma and (unless fixture is null) a generated dev.db, the env files
 * with DATABASE_URL on SQLite, and the backend unit run by the stand-in
 * systemctl, started when there is a database.
 */
export async function prepareVisionSuitHost(
  dir: string,
  tracker: Tracker,
  options: StageOptions = {},
): Promise<VisionSuitHost> {
  const fixture = options.fixture === undefined ? 'tiny' : options.fixture;
  const backendDir = join(dir, 'visionsuit', 'backend');
  mkdirSync(join(backendDir, 'prisma'), { recursive: true });
  copyFileSync(FIXTURE_SCHEMA, join(backendDir, 'prisma', 'schema.prisma'));
  const sqlitePath = join(backendDir, 'prisma', 'dev.db');
  if (fixture) await generateFixture(fixture, sqlitePath);
  const etc = join(dir, 'etc', 'visionsuit');
  mkdirSync(etc, { recursive: true });
  const backendPort = await freePort();
  const envFiles = [join(etc, 'vs-backend.env'), join(etc, 'vs-frontend.env'), join(backendDir, '.env')];
  const extra = Object.entries(options.backendEnv ?? {})
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');
  writeFileSync(
    envFiles[0]!,
    `# VisionSuit backend (EnvironmentFile of vs-backend.service)\nNODE_ENV=production\nPORT=${backendPort}\nDATABASE_URL="file:./dev.db"\n${extra}`,
    { mode: 0o640 },
  );
  writeFileSync(envFiles[1]!, `# VisionSuit frontend\nVITE_API_URL=http://127.0.0.1:${backendPort}\n`, { mode: 0o640 });
  writeFileSync(
    envFiles[2]!,
    `# read by the Prisma CLI, Prisma Studio and maintenance.sh\nDATABASE_URL="file:./dev.db" # the SQLite file\nJWT_SECRET='s3cret with spaces'\n`,
    { mode: 0o600 },
  );

  // The stand-in service manager and the backend unit.
  const systemd = join(dir, 'systemd');
  mkdirSync(join(systemd, 'units'), { recursive: true });
  writeFileSync(
    join(systemd, 'units', 'vs-backend.service.json'),
    JSON.stringify({
      argv: [process.execPath, join(STANDIN, 'backend.js'), backendDir],
      environmentFile: envFiles[0],
      cwd: backendDir,
      log: join(dir, 'vs-backend.log'),
    }),
  );
  const systemctl = join(dir, 'systemctl');
  writeFileSync(
    systemctl,
    `#!/bin/sh\nexec "${process.execPath}" "${join(STANDIN, 'systemctl.js')}" "${systemd}" "$@"\n`,
  );
  chmodSync(systemctl, 0o755);
  const services = new ServiceManager(systemctl);
  const backendUrl = `http://127.0.0.1:${backendPort}`;
  tracker.add(
    'vs-backend',
    () => null,
    () => services.stop('vs-backend.service'),
  );
  if (options.startBackend ?? fixture !== null) {
    await services.start('vs-backend.service');
    await pollUntil(
      'the stand-in backend to answer',
      async () => (await fetch(`${backendUrl}/api/meta/status/backend`).catch(() => null))?.ok === true,
    );
  }
  return {
    backendDir,
    sqlitePath,
    envFiles,
    backendUrl,
    services,
    systemctl,
    config: {
      sqlitePath,
      prismaSchema: join(backendDir, 'prisma', 'schema.prisma'),
      backendDir,
      envFiles,
      writerUnits: ['vs-backend.service', 'prisma-studio.service', 'visionsuit-dev.service'],
      backendUnit: 'vs-backend.service',
      systemctl,
      healthUrl: `${backendUrl}/api/meta/status/backend`,
      healthTimeoutMs: 8_000,
      healthSettleMs: 1_000,
    },
  };
}

/** agent-app's settings for a connector. */
export function connectorSettings(connector: ConnectorHandle): Record<string, unknown> {
  return {
    connectorListen: `127.0.0.1:${connector.port}`,
    connectorHealthUrl: `http://127.0.0.1:${connector.httpPort}/healthz`,
  };
}

export async function startCutoverStage(
  label: string,
  tracker: Tracker,
  options: StageOptions = {},
): Promise<CutoverStage> {
  const dir = tempDir(label, 0o755);
  const pgc = await startCluster(label, tracker);
  const agentDb = await startAgentDb(dir, pgc);
  tracker.addProcess(agentDb.proc);
  const sshd = await Sshd.create(label, [agentDb.port, pgc.port]);
  tracker.add(
    'sshd',
    () => sshd.proc,
    () => sshd.stop(),
  );
  const bundlePath = writeBundle(join(dir, 'pairing.conf'), bundleFields({ sshd, pg: pgc, agentDb }));

  // The owner role and database, as bootstrap leaves them.
  const { postgres } = await readBundleFile(bundlePath);
  const admin = new pg.Pool({
    host: '127.0.0.1',
    port: pgc.port,
    user: pgc.superuser,
    password: pgc.password,
    database: 'postgres',
  });
  await ensureDatabase(admin, {
    database: postgres.database,
    owner: postgres.user,
    password: postgres.password,
    passwordCheck: verifierCheck(admin),
  });
  await admin.end();

  const connector = await startConnector(join(dir, 'connector'), bundlePath, { listenPort: await freePort() });
  tracker.addProcess(connector.proc);
  const host = await prepareVisionSuitHost(dir, tracker, options);
  const agentAppConfig = { ...host.config, ...connectorSettings(connector), ...options.agentApp };
  const { config: _config, ...hostParts } = host;
  const stage: CutoverStage = {
    dir,
    pg: pgc,
    agentDb,
    sshd,
    bundlePath,
    connector,
    agentApp: null as never,
    agentAppConfig,
    ...hostParts,
  };
  await restartAgentApp(stage, tracker);
  return stage;
}

/**
 * Follow an operation with `vsctl watch --json` as a child process, calling
 * `onEvent` with each event (one JSON object per line) as it arrives.
 */
export function watchLive<E>(
  stage: CutoverStage,
  id: string,
  onEvent: (e: E, child: ChildProcess) => void,
): Promise<{ code: number | null; events: E[] }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [BIN.vsctl, 'watch', id, '--json', `--socket-path=${stage.agentApp.socketPath}`],
      { env: cleanEnv() },
    );
    const events: E[] = [];
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const e = JSON.parse(line) as E;
        events.push(e);
        onEvent(e, child);
      }
    });
    child.on('exit', (code) => resolve({ code, events }));
  });
}

/** The backend's answer at `path`, as JSON. */
export async function backend<T>(
  stage: CutoverStage,
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stage.backendUrl}${path}`, init);
  return { status: res.status, body: (await res.json()) as T };
}

export const readText = (path: string) => readFileSync(path, 'utf8');

#!/usr/bin/env node
// vs-agent-app: wires the process (config, logger, pairing, SSH link, agent-db
// client, gRPC on the unix socket, signals) and nothing else.
import { chmod, chown, mkdir, rm } from 'node:fs/promises';
import { lookupGroup } from '../shared/os-accounts.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Lifecycle } from '../shared/lifecycle.js';
import { createLogger } from '../shared/logger.js';
import type { Logger } from '../shared/logger.js';
import { createNotifier } from '../shared/notify.js';
import { bind, shutdownServer } from '../shared/grpc.js';
import { readBundleFile } from '../shared/bundle.js';
import type { Pairing } from '../shared/bundle.js';
import { VsError } from '../shared/errors.js';
import { answerStandardFlags, fail, resolveProgramConfig } from '../shared/program.js';
import { productVersion } from '../shared/version.js';
import { AgentAppConfigSchema } from './config.js';
import type { AgentAppConfig } from './config.js';
import { Paired } from './link/paired.js';
import { buildAgentApp } from './server.js';
import { Operations } from './ops/operations.js';
import { ServiceManager } from './host/service-manager.js';
import type { CutoverDeps } from './ops/common.js';
import { migrateLocal } from './local/migrate-local.js';
import { verifyLocal } from './local/verify-local.js';
import { restoreLocal } from './local/restore-local.js';
import { operationHandlers, resumeInterrupted } from './ops/handlers.js';
import { appMetrics } from './ops/metrics.js';
import { serveMetrics } from '../shared/metrics.js';

const PROGRAM = 'vs-agent-app';
const USAGE = `usage: ${PROGRAM} [serve] [--config FILE] [--check-config] [--KEY=VALUE ...]
       ${PROGRAM} migrate-local --help
       ${PROGRAM} verify-local --help
       ${PROGRAM} restore-local --help

Runs the agent on the VisionSuit host; vsctl talks to it over a unix socket.
Configuration keys, their VS_* environment names and defaults:
`;

async function bindSocket(server: import('@grpc/grpc-js').Server, config: AgentAppConfig, log: Logger): Promise<void> {
  const dir = dirname(config.socketPath);
  await mkdir(dir, { recursive: true });
  const gid = lookupGroup(config.socketGroup)?.gid ?? null;
  // The directory closes the window between bind and chmod.
  await chmod(dir, 0o750);
  if (gid !== null) await chown(dir, process.getuid?.() ?? 0, gid).catch(() => {});
  if (existsSync(config.socketPath)) await rm(config.socketPath); // stale from a crash; a live agent holds the unit
  await bind(server, `unix:${config.socketPath}`);
  await chmod(config.socketPath, 0o660);
  if (gid !== null) await chown(config.socketPath, process.getuid?.() ?? 0, gid).catch(() => {});
  else log.warn({ group: config.socketGroup }, 'socket group does not exist; only root can use vsctl');
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  // Developer commands that run the engine with no agent; they take their own arguments.
  if (argv[0] === 'migrate-local') {
    process.exitCode = await migrateLocal(argv.slice(1));
    return;
  }
  if (argv[0] === 'verify-local') {
    process.exitCode = await verifyLocal(argv.slice(1));
    return;
  }
  if (argv[0] === 'restore-local') {
    process.exitCode = await restoreLocal(argv.slice(1));
    return;
  }
  if (answerStandardFlags(PROGRAM, USAGE, AgentAppConfigSchema, argv)) return;
  const { config, rest, checkConfig } = resolveProgramConfig(
    PROGRAM,
    AgentAppConfigSchema,
    '/etc/visionsuit-agent-app/config.json',
    argv,
    env,
  );
  if (checkConfig) {
    process.stdout.write(`${PROGRAM}: configuration is valid\n${JSON.stringify(config, null, 2)}\n`);
    return;
  }
  const command = rest[0] ?? 'serve';
  if (command !== 'serve' || rest.length > 1) throw new VsError('VS_ERR_USAGE', `unknown command "${rest.join(' ')}"`);

  const log = createLogger({ name: PROGRAM, level: config.logLevel });
  const notifier = createNotifier(env, log);
  const lifecycle = new Lifecycle({ log, notifier, drainBudgetMs: config.drainTimeoutMs, proc: process });

  // A missing pairing is a state (the agent waits to be paired); an unsafe or
  // broken one is refused outright.
  const stored: Pairing | null = existsSync(config.pairingFile) ? await readBundleFile(config.pairingFile) : null;
  if (!stored) log.warn({ pairingFile: config.pairingFile }, 'not paired yet: run `vsctl pair --bundle FILE`');

  const paired = new Paired({
    link: config.link,
    callTimeoutMs: config.callTimeoutMs,
    agentDbPollMs: config.agentDbPollMs,
    log,
  });
  const operations = new Operations(config.stateDir, log);
  const deps: CutoverDeps = { config, paired, services: new ServiceManager(config.systemctl), log };
  const app = buildAgentApp({
    log,
    statusSources: () => ({
      version: productVersion(),
      lifecycleState: lifecycle.state,
      uptimeSeconds: lifecycle.uptimeSeconds,
      runDir: join(config.stateDir, 'runs'),
      pairing: paired.pairing,
      link: paired.link,
      agentDb: paired.agentDb,
      connectorHealthUrl: config.connectorHealthUrl,
      operation: operations.running,
      prismaSchema: config.prismaSchema,
      envFiles: config.envFiles,
    }),
    operations,
    ...operationHandlers(deps, operations),
  });
  paired.on('link', (state) => app.setHealth(state === 'up' ? 'SERVING' : 'NOT_SERVING'));
  if (stored) await paired.use(stored);
  // Stop hooks run in reverse order of registration: the journal closes last.
  lifecycle.onStop('run journal', async () => operations.close());
  lifecycle.onStop('ssh link and agent-db client', () => paired.close());

  await bindSocket(app.server, config, log);
  lifecycle.onStop('grpc server', (budgetMs) => {
    app.setHealth('NOT_SERVING');
    return shutdownServer(app.server, budgetMs);
  });
  // First of all, the operation pauses at a checkpoint while the link still carries it;
  // its end closes the Watch streams the server would otherwise wait for.
  lifecycle.onStop('operation', () => operations.pause());
  app.setHealth(paired.link?.state === 'up' ? 'SERVING' : 'NOT_SERVING');
  if (config.metricsPort > 0) {
    const metrics = await serveMetrics(config.metricsPort, appMetrics({ paired, operations }), log);
    lifecycle.onStop('metrics', () => new Promise<void>((resolve) => metrics.server.close(() => resolve())));
  }
  await lifecycle.running(`serving on ${config.socketPath}`);
  // An operation the previous process left running continues (or rolls back) now.
  resumeInterrupted(deps, operations);
}

main(process.argv.slice(2), process.env).catch((err: unknown) => fail(PROGRAM, err));

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
import { configReference, fail, resolveProgramConfig } from '../shared/program.js';
import { productVersion } from '../shared/version.js';
import { AgentAppConfigSchema } from './config.js';
import type { AgentAppConfig } from './config.js';
import { Paired } from './paired.js';
import { pair } from './pair.js';
import { preflightFor } from './preflight.js';
import { buildAgentApp } from './server.js';
import { Operations } from './operations.js';
import { ServiceManager } from './service-manager.js';
import { migrateBody } from './migrate-op.js';
import type { CutoverDeps } from './migrate-op.js';
import { installBody, rollbackBody, runToRollBack } from './rollback-op.js';
import { rehearseBody } from './rehearse-op.js';
import { runToVerify, verifyBody } from './verify-op.js';
import { hostname } from 'node:os';
import type { MigrateRequest__Output } from '../proto/gen/vsmigrate/app/v1/MigrateRequest.js';
import { migrateLocal } from './migrate-local.js';
import { verifyLocal } from './verify-local.js';
import { restoreLocal } from './restore-local.js';

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
  if (argv.includes('--help')) {
    process.stdout.write(USAGE + configReference(AgentAppConfigSchema) + '\n');
    return;
  }
  const { config, rest, checkConfig } = resolveProgramConfig(PROGRAM, AgentAppConfigSchema, '/etc/visionsuit-agent-app/config.json', argv, env);
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

  const paired = new Paired({ link: config.link, callTimeoutMs: config.callTimeoutMs, agentDbPollMs: config.agentDbPollMs, log });
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
    }),
    operations,
    migrate: (req) => operations.start('migrate', req, migrateBody(deps, req)),
    rollback: (req) => {
      const runId = runToRollBack(operations, req.runId);
      return operations.start('rollback', { ...req, runId }, rollbackBody(deps, operations, req, runId));
    },
    install: (req) => operations.start('install', req, installBody(deps)),
    rehearse: (req) => operations.start('rehearse', req, rehearseBody(deps, req, hostname())),
    verify: (req) => {
      const runId = runToVerify(operations, req.runId);
      return operations.start('verify', { runId }, verifyBody(deps, operations, runId));
    },
    pair: async (req) => {
      // A new pairing replaces the link an operation may be using.
      const busy = operations.running;
      if (busy) throw new VsError('VS_ERR_OPERATION_RUNNING', `operation ${busy.id} (${busy.kind}) is running; pair again once it has ended`, { details: { id: busy.id ?? '' } });
      const { pairing, response } = await pair({ bundlePath: req.bundlePath, pairingFile: config.pairingFile, link: config.link, callTimeoutMs: config.callTimeoutMs, log });
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
        log.warn({ unit, errMessage: (err as Error).message }, 'could not restart the external connector after pairing');
      }
      return { ...response, connectorRestarted: restarted, connectorUnit: unit };
    },
    preflight: (req) => preflightFor(config, paired, req.sqlitePath || config.sqlitePath),
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
  await lifecycle.running(`serving on ${config.socketPath}`);
  // An operation the previous process left running continues (or rolls back) now.
  for (const op of operations.interrupted()) {
    if (op.kind === 'migrate') operations.resume(op.id, op.request, migrateBody(deps, op.request as MigrateRequest__Output));
    else {
      operations.journal.update(op.id, { state: 'failed', finished_at: new Date().toISOString(), error: JSON.stringify({ code: 'VS_ERR_INTERRUPTED', message: `agent-app restarted during this ${op.kind}; run it again`, hint: '' }) });
      log.warn({ operation: op.id }, 'an interrupted operation cannot resume; marked failed');
    }
  }
}

main(process.argv.slice(2), process.env).catch((err: unknown) => fail(PROGRAM, err));

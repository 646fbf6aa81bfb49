#!/usr/bin/env node
// vs-agent-app: wires the process (config, logger, pairing, SSH link, agent-db
// client, gRPC on the unix socket, signals) and nothing else.
import { chmod, chown, mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Lifecycle } from '../shared/lifecycle.js';
import { createLogger } from '../shared/logger.js';
import type { Logger } from '../shared/logger.js';
import { createNotifier } from '../shared/notify.js';
import { bind, shutdownServer } from '../shared/grpc.js';
import { readBundleFile } from '../shared/bundle.js';
import type { Pairing } from '../shared/bundle.js';
import { SshLink, pairingEndpoint } from '../shared/ssh-link.js';
import { VsError } from '../shared/errors.js';
import { configReference, fail, resolveProgramConfig } from '../shared/program.js';
import { productVersion } from '../shared/version.js';
import { AgentAppConfigSchema } from './config.js';
import type { AgentAppConfig } from './config.js';
import { AgentDbClient } from './agent-db-client.js';
import { buildAgentApp } from './server.js';
import { migrateLocal } from './migrate-local.js';
import { verifyLocal } from './verify-local.js';

const PROGRAM = 'vs-agent-app';
const USAGE = `usage: ${PROGRAM} [serve] [--config FILE] [--check-config] [--KEY=VALUE ...]
       ${PROGRAM} migrate-local --help
       ${PROGRAM} verify-local --help

Runs the agent on the VisionSuit host; vsctl talks to it over a unix socket.
Configuration keys, their VS_* environment names and defaults:
`;

/** The gid of a group from /etc/group, or null when the group does not exist. */
async function groupId(name: string): Promise<number | null> {
  const text = await readFile('/etc/group', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined) return Number(gid);
  }
  return null;
}

async function bindSocket(server: import('@grpc/grpc-js').Server, config: AgentAppConfig, log: Logger): Promise<void> {
  const dir = dirname(config.socketPath);
  await mkdir(dir, { recursive: true });
  const gid = await groupId(config.socketGroup);
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
  const pairing: Pairing | null = existsSync(config.pairingFile) ? await readBundleFile(config.pairingFile) : null;
  if (!pairing) log.warn({ pairingFile: config.pairingFile }, 'not paired yet');

  let link: SshLink | null = null;
  let agentDb: AgentDbClient | null = null;
  const app = buildAgentApp({
    log,
    statusSources: () => ({
      version: productVersion(),
      lifecycleState: lifecycle.state,
      uptimeSeconds: lifecycle.uptimeSeconds,
      runDir: join(config.stateDir, 'runs'),
      pairing,
      link,
      agentDb,
      connectorHealthUrl: config.connectorHealthUrl,
    }),
  });

  if (pairing) {
    link = new SshLink({
      ...pairingEndpoint(pairing),
      forwards: [
        { name: 'agent-db', remoteHost: '127.0.0.1', remotePort: pairing.agentDb.port },
        { name: 'postgres', remoteHost: pairing.postgres.internalHost, remotePort: pairing.postgres.port },
      ],
      ...config.link,
      log,
    });
    const activeLink = link;
    activeLink.on('state', (state) => app.setHealth(state === 'up' ? 'SERVING' : 'NOT_SERVING'));
    await activeLink.start();
    lifecycle.onStop('ssh link', () => activeLink.stop());
    agentDb = new AgentDbClient(activeLink.localPort('agent-db'), pairing.agentDb.token, config.callTimeoutMs, log);
    const activeAgentDb = agentDb;
    activeLink.on('state', (state) => {
      if (state === 'up') void activeAgentDb.refresh();
    });
    activeAgentDb.startPolling(config.agentDbPollMs);
    lifecycle.onStop('agent-db client', async () => activeAgentDb.close());
  }

  await bindSocket(app.server, config, log);
  lifecycle.onStop('grpc server', (budgetMs) => {
    app.setHealth('NOT_SERVING');
    return shutdownServer(app.server, budgetMs);
  });
  app.setHealth(link?.state === 'up' ? 'SERVING' : 'NOT_SERVING');
  await lifecycle.running(`serving on ${config.socketPath}`);
}

main(process.argv.slice(2), process.env).catch((err: unknown) => fail(PROGRAM, err));

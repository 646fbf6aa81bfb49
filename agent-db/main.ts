#!/usr/bin/env node
// vs-agent-db: wires the process (config, logger, PostgreSQL, gRPC, signals) and
// nothing else. The server itself is built by server.ts.
import { Lifecycle } from '../shared/lifecycle.js';
import { createLogger } from '../shared/logger.js';
import { createNotifier } from '../shared/notify.js';
import { bind, shutdownServer } from '../shared/grpc.js';
import { readSecretFile } from '../shared/secret-file.js';
import { VsError } from '../shared/errors.js';
import { configReference, fail, resolveProgramConfig } from '../shared/program.js';
import { productVersion } from '../shared/version.js';
import { AgentDbConfigSchema } from './config.js';
import { Postgres } from './postgres.js';
import { buildAgentDb } from './server.js';

const PROGRAM = 'vs-agent-db';
const USAGE = `usage: ${PROGRAM} [serve] [--config FILE] [--check-config] [--KEY=VALUE ...]

Runs the agent on the PostgreSQL host (127.0.0.1 only). Configuration keys,
their VS_* environment names and defaults:
`;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (argv.includes('--help')) {
    process.stdout.write(USAGE + configReference(AgentDbConfigSchema) + '\n');
    return;
  }
  const { config, rest, checkConfig } = resolveProgramConfig(PROGRAM, AgentDbConfigSchema, '/etc/visionsuit-agent-db/config.json', argv, env);
  if (checkConfig) {
    process.stdout.write(`${PROGRAM}: configuration is valid\n${JSON.stringify(config, null, 2)}\n`);
    return;
  }
  const command = rest[0] ?? 'serve';
  if (command !== 'serve' || rest.length > 1) throw new VsError('VS_ERR_USAGE', `unknown command "${rest.join(' ')}"`);

  const log = createLogger({ name: PROGRAM, level: config.logLevel });
  const notifier = createNotifier(env, log);
  const lifecycle = new Lifecycle({ log, notifier, drainBudgetMs: config.drainTimeoutMs, proc: process });

  const token = await readSecretFile(config.tokenFile, 'agent token file');
  const password = config.postgres.passwordFile ? await readSecretFile(config.postgres.passwordFile, 'PostgreSQL password file') : undefined;
  const pg = new Postgres({ ...config.postgres, password }, log);
  lifecycle.onStop('postgres pool', () => pg.end());

  const agent = buildAgentDb({
    log,
    pg,
    token,
    version: productVersion(),
    uptimeSeconds: () => lifecycle.uptimeSeconds,
    healthPollMs: config.healthPollMs,
  });
  const port = await bind(agent.server, `127.0.0.1:${config.port}`);
  lifecycle.onStop('grpc server', (budgetMs) => {
    agent.notServing();
    agent.stopHealthPolling();
    return shutdownServer(agent.server, budgetMs);
  });
  await agent.startHealthPolling();
  await lifecycle.running(`serving on 127.0.0.1:${port}`);
}

main(process.argv.slice(2), process.env).catch((err: unknown) => fail(PROGRAM, err));

#!/usr/bin/env node
// vs-agent-db: wires the process (config, logger, PostgreSQL, gRPC, signals) and
// nothing else. The server itself is built by server.ts.
import { Lifecycle } from '../shared/lifecycle.js';
import { createLogger } from '../shared/logger.js';
import { createNotifier } from '../shared/notify.js';
import { bind, shutdownServer } from '../shared/grpc.js';
import { readSecretFile } from '../shared/secret-file.js';
import { VsError } from '../shared/errors.js';
import { answerStandardFlags, fail, resolveProgramConfig } from '../shared/program.js';
import { productVersion } from '../shared/version.js';
import { AgentDbConfigSchema } from './config.js';
import { Postgres } from './postgres.js';
import { buildAgentDb } from './server.js';
import { bootstrap, unbootstrap } from './bootstrap.js';
import { restoreBackup } from './restore-backup.js';
import { dbMetrics } from './metrics.js';
import { serveMetrics } from '../shared/metrics.js';

const PROGRAM = 'vs-agent-db';
const USAGE = `usage: ${PROGRAM} [serve] [--config FILE] [--check-config] [--KEY=VALUE ...]
       ${PROGRAM} bootstrap [--config FILE] [--KEY=VALUE ...]
       ${PROGRAM} unbootstrap --force [--drop-data] [--config FILE] [--KEY=VALUE ...]
       ${PROGRAM} restore-backup FILE --force [--config FILE] [--KEY=VALUE ...]

serve        run the agent on the PostgreSQL host (127.0.0.1 only)
bootstrap    as root, once and again at will: install PostgreSQL when absent,
             reconcile the owner role, its database and agent-db's own role,
             create the SSH user with a forwarding-only key, generate the
             agent token and write the pairing bundle. Prints what it changed.
unbootstrap  as root: remove exactly what bootstrap created. A database that
             holds data is kept unless --drop-data is given.
restore-backup  put a backup taken before a replace (vsctl migrate
             --replace-target; the path is in the run's log) back as the
             database it was taken from. What that database holds now is
             backed up first, beside it.

Configuration keys, their VS_* environment names and defaults:
`;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (answerStandardFlags(PROGRAM, USAGE, AgentDbConfigSchema, argv)) return;
  const { config, rest, checkConfig } = resolveProgramConfig(
    PROGRAM,
    AgentDbConfigSchema,
    '/etc/visionsuit-agent-db/config.json',
    argv,
    env,
  );
  if (checkConfig) {
    process.stdout.write(`${PROGRAM}: configuration is valid\n${JSON.stringify(config, null, 2)}\n`);
    return;
  }
  const command = rest[0] ?? 'serve';
  const say = (line: string) => process.stdout.write(line + '\n');
  if (command === 'bootstrap' && rest.length === 1) {
    const result = await bootstrap(config, say);
    say(
      result.changes.length === 0
        ? '\nbootstrap: nothing to change'
        : `\nbootstrap: ${result.changes.length} change(s)`,
    );
    say(
      `next: copy ${result.bundlePath} to the VisionSuit host (scp, then chmod 600), run \`vsctl pair --bundle FILE\` there, then delete both copies`,
    );
    return;
  }
  if (command === 'unbootstrap') {
    const flags = new Set(rest.slice(1));
    if (!flags.has('--force') || [...flags].some((f) => f !== '--force' && f !== '--drop-data')) {
      throw new VsError(
        'VS_ERR_USAGE',
        'unbootstrap removes roles, a database, a Linux user and keys: pass --force (and --drop-data to drop a database that holds data)',
      );
    }
    const result = await unbootstrap(config, flags.has('--drop-data'), say);
    say(`\nunbootstrap: removed ${result.removed.length}, kept ${result.kept.length}`);
    if (result.kept.length > 0) process.exitCode = 1;
    return;
  }
  if (command === 'restore-backup') {
    const args = rest.slice(1);
    const file = args.find((a) => !a.startsWith('--'));
    if (!file || !args.includes('--force') || args.some((a) => a !== file && a !== '--force')) {
      throw new VsError(
        'VS_ERR_USAGE',
        'restore-backup FILE --force: it replaces the database the backup was taken from (what it holds now is backed up first)',
      );
    }
    await restoreBackup(config, file, say);
    return;
  }
  if (command !== 'serve' || rest.length > 1) throw new VsError('VS_ERR_USAGE', `unknown command "${rest.join(' ')}"`);

  const log = createLogger({ name: PROGRAM, level: config.logLevel });
  const notifier = createNotifier(env, log);
  const lifecycle = new Lifecycle({ log, notifier, drainBudgetMs: config.drainTimeoutMs, proc: process });

  const token = await readSecretFile(config.tokenFile, 'agent token file');
  const password = config.postgres.passwordFile
    ? await readSecretFile(config.postgres.passwordFile, 'PostgreSQL password file')
    : undefined;
  const pg = new Postgres({ ...config.postgres, password }, log);
  lifecycle.onStop('postgres pool', () => pg.end());

  const agent = buildAgentDb({
    log,
    pg,
    token,
    version: productVersion(),
    uptimeSeconds: () => lifecycle.uptimeSeconds,
    healthPollMs: config.healthPollMs,
    stateDir: config.stateDir,
  });
  const port = await bind(agent.server, `127.0.0.1:${config.port}`);
  lifecycle.onStop('grpc server', (budgetMs) => {
    agent.notServing();
    agent.stopHealthPolling();
    return shutdownServer(agent.server, budgetMs);
  });
  await agent.startHealthPolling();
  if (config.metricsPort > 0) {
    const metrics = await serveMetrics(config.metricsPort, dbMetrics(pg), log);
    lifecycle.onStop('metrics', () => new Promise<void>((resolve) => metrics.server.close(() => resolve())));
  }
  await lifecycle.running(`serving on 127.0.0.1:${port}`);
}

main(process.argv.slice(2), process.env).catch((err: unknown) => fail(PROGRAM, err));

#!/usr/bin/env node
// vs-external-connector: carries VisionSuit's database traffic to PostgreSQL
// after cutover (the app's DATABASE_URL points here). Its own process and unit,
// so it keeps running when agent-app restarts or upgrades; it reads the pairing
// agent-app stored and opens its own SSH link. This file wires the process.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { Lifecycle } from '../shared/lifecycle.js';
import { createLogger } from '../shared/logger.js';
import { createNotifier } from '../shared/notify.js';
import { HealthImplementation, bind, shutdownServer } from '../shared/grpc.js';
import * as grpc from '@grpc/grpc-js';
import { readBundleFile } from '../shared/bundle.js';
import { SshLink, pairingEndpoint } from '../shared/ssh-link.js';
import { OpensshMaster } from './openssh.js';
import { VsError } from '../shared/errors.js';
import { answerStandardFlags, fail, resolveProgramConfig } from '../shared/program.js';
import { ConnectorConfigSchema } from './config.js';
import { Connector } from './connector.js';
import { healthOf, serveHealthHttp } from './health.js';
import { connectorMetrics } from './metrics.js';
import { AgentDbWatch } from '../shared/agent-db-watch.js';

const PROGRAM = 'vs-external-connector';
const USAGE = `usage: ${PROGRAM} [serve] [--config FILE] [--check-config] [--KEY=VALUE ...]

Listens on 127.0.0.1 for VisionSuit's database connections and carries each
one to PostgreSQL over its own SSH link (or, when configured, a direct TLS
route while the link is down). Health: HTTP /healthz and /primary, and gRPC.
Configuration keys, their VS_* environment names and defaults:
`;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (answerStandardFlags(PROGRAM, USAGE, ConnectorConfigSchema, argv)) return;
  const { config, rest, checkConfig } = resolveProgramConfig(
    PROGRAM,
    ConnectorConfigSchema,
    '/etc/visionsuit-external-connector/config.json',
    argv,
    env,
  );
  if (config.tlsFallback.host && !config.tlsFallback.caFile) {
    throw new VsError(
      'VS_ERR_CONFIG_INVALID',
      'tlsFallback.host is set without tlsFallback.caFile: the direct route needs the CA its server certificate is checked against',
    );
  }
  if (checkConfig) {
    process.stdout.write(`${PROGRAM}: configuration is valid\n${JSON.stringify(config, null, 2)}\n`);
    return;
  }
  if ((rest[0] ?? 'serve') !== 'serve' || rest.length > 1)
    throw new VsError('VS_ERR_USAGE', `unknown command "${rest.join(' ')}"`);

  const log = createLogger({ name: PROGRAM, level: config.logLevel });
  const notifier = createNotifier(env, log);
  const lifecycle = new Lifecycle({ log, notifier, drainBudgetMs: config.drainTimeoutMs, proc: process });

  const pairing = existsSync(config.pairingFile) ? await readBundleFile(config.pairingFile) : null;
  if (!pairing)
    log.warn(
      { pairingFile: config.pairingFile },
      'not paired yet: every connection is refused until agent-app is paired and this service restarted',
    );
  const ca = config.tlsFallback.host ? await readFile(config.tlsFallback.caFile) : null;

  let link: SshLink | null = null;
  let agentDb: AgentDbWatch | null = null;
  if (pairing) {
    link = new SshLink({
      ...pairingEndpoint(pairing),
      // PostgreSQL first: the link is `up` only once sshd opened a channel to it.
      forwards: [
        {
          name: 'postgres',
          remoteHost: pairing.postgres.internalHost,
          remotePort: pairing.postgres.port,
          listen: false,
        },
        { name: 'agent-db', remoteHost: '127.0.0.1', remotePort: pairing.agentDb.port },
      ],
      ...config.link,
      log,
    });
  }
  const master =
    pairing && config.sshDataPath === 'openssh'
      ? new OpensshMaster(
          {
            host: pairing.ssh.host,
            port: pairing.ssh.port,
            user: pairing.ssh.user,
            privateKey: pairing.ssh.privateKey,
            hostKey: pairing.ssh.hostKey,
          },
          config.runDir,
          config.link.connectTimeoutMs,
          log,
          () => publish(),
        )
      : null;
  const connector = new Connector({
    host: config.listenHost,
    port: config.listenPort,
    link,
    openssh: master ? { master, host: pairing!.postgres.internalHost, port: pairing!.postgres.port } : null,
    tls: ca ? { host: config.tlsFallback.host, port: config.tlsFallback.port, ca } : null,
    maxConnections: config.maxConnections,
    idleTimeoutMs: config.idleTimeoutMs,
    startupTimeoutMs: config.startupTimeoutMs,
    connectTimeoutMs: config.callTimeoutMs,
    log,
  });

  let draining = false;
  const report = () => healthOf(connector, link, agentDb, draining);
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  const metrics = connectorMetrics(report);
  const publish = () => {
    const r = report();
    metrics.observe(r);
    health.setStatus('', r.status === 'down' ? 'NOT_SERVING' : 'SERVING');
  };

  if (master) {
    master.start();
    lifecycle.onStop('OpenSSH master', async () => master.stop());
  }
  if (link) {
    const activeLink = link;
    await activeLink.start();
    lifecycle.onStop('ssh link', () => activeLink.stop());
    const watch = new AgentDbWatch(
      `127.0.0.1:${activeLink.localPort('agent-db')}`,
      pairing!.agentDb.token,
      config.agentDbPollMs,
      log,
    );
    agentDb = watch;
    watch.on('health', publish);
    activeLink.on('state', (state) => {
      if (state === 'up') watch.restart();
      // While the link is down, know whether the TLS route would carry a connection.
      else if (ca) void connector.probeTls().then(publish);
      publish();
    });
    watch.start();
    lifecycle.onStop('agent-db watch', async () => watch.close());
  }
  if (ca) {
    const timer = setInterval(() => {
      if (link?.state !== 'up') void connector.probeTls().then(publish);
    }, config.agentDbPollMs);
    lifecycle.onStop('TLS probe', async () => clearInterval(timer));
    if (link?.state !== 'up') await connector.probeTls();
  }

  // Hooks stop in reverse: the listener drains first while health still
  // answers (503, "shutting down"), then the health servers close.
  const grpcServer = new grpc.Server();
  health.addToServer(grpcServer);
  const grpcPort = await bind(grpcServer, `127.0.0.1:${config.grpcPort}`);
  lifecycle.onStop('grpc health', (budgetMs) => shutdownServer(grpcServer, budgetMs));
  const http = await serveHealthHttp(config.httpPort, report, log, metrics.registry);
  lifecycle.onStop('http health', () => new Promise<void>((resolve) => http.server.close(() => resolve())));
  const port = await connector.listen();
  lifecycle.onStop('listener', (budgetMs) => {
    draining = true;
    publish();
    return connector.drain(budgetMs);
  });
  publish();
  log.info({ port, httpPort: http.port, grpcPort }, 'connector listening');
  await lifecycle.running(`carrying connections on ${config.listenHost}:${port}`);
}

main(process.argv.slice(2), process.env).catch((err: unknown) => fail(PROGRAM, err));

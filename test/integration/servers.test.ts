// The two servers built in-process by their factories (buildAgentDb,
// buildAgentApp), at the seam between gRPC and the code behind it: the token
// every agent-db call must carry, the one error adapter (our errors keep their
// code and message; anything else is INTERNAL with a generic message, its cause
// never sent), and refusals of bad names before any SQL.
import test from 'ava';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { buildAgentDb } from '../../agent-db/server.js';
import { Postgres } from '../../agent-db/postgres.js';
import { buildAgentApp } from '../../agent-app/server.js';
import { Operations } from '../../agent-app/ops/operations.js';
import { bind, call, checkHealth, loadContract, shutdownServer, tokenMetadata } from '../../shared/grpc.js';
import { VsError, toVsError } from '../../shared/errors.js';
import type { VsError as VsErrorType } from '../../shared/errors.js';
import { createLogger } from '../../shared/logger.js';
import type { DbStatus__Output } from '../../proto/gen/vsmigrate/db/v1/DbStatus.js';
import type { AppStatus__Output } from '../../proto/gen/vsmigrate/app/v1/AppStatus.js';
import type { PreflightReport__Output } from '../../proto/gen/vsmigrate/app/v1/PreflightReport.js';
import type { Operation__Output } from '../../proto/gen/vsmigrate/app/v1/Operation.js';
import { tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';

const tracker = trackWith(test);
const TOKEN = 'a'.repeat(64);

async function failure(p: Promise<unknown>): Promise<VsErrorType> {
  try {
    await p;
  } catch (err) {
    return toVsError(err);
  }
  throw new Error('the call succeeded');
}

test('buildAgentDb: no token, a wrong token, then the right one; names are refused before any SQL', async (t) => {
  const dir = tempDir('servers-db');
  const cluster = await startCluster('servers-db', tracker);
  const log = createLogger({
    name: 'agent-db',
    level: 'warn',
    destination: createWriteStream(join(dir, 'agent-db.log')) as never,
  });
  const pg = new Postgres(
    {
      host: '127.0.0.1',
      port: cluster.port,
      user: cluster.superuser,
      database: 'postgres',
      password: cluster.password,
      connectTimeoutMs: 5_000,
    },
    log,
  );
  const agentDb = buildAgentDb({
    log,
    pg,
    token: TOKEN,
    version: 'test',
    uptimeSeconds: () => 1,
    healthPollMs: 200,
    stateDir: dir,
  });
  const port = await bind(agentDb.server, '127.0.0.1:0');
  await agentDb.startHealthPolling();
  t.teardown(async () => {
    agentDb.stopHealthPolling();
    await shutdownServer(agentDb.server, 1_000);
    await pg.end();
  });
  const { db } = loadContract();
  const client = new db.vsmigrate.db.v1.AgentDb(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  t.teardown(() => client.close());
  const getStatus = (md: grpc.Metadata) =>
    call<DbStatus__Output>((m, o, cb) => client.getStatus({}, m, o, cb), { metadata: md, deadlineMs: 5_000 });

  t.is((await failure(getStatus(new grpc.Metadata()))).code, 'VS_ERR_AUTH_TOKEN_MISSING');
  t.is((await failure(getStatus(tokenMetadata('b'.repeat(64))))).code, 'VS_ERR_AUTH_TOKEN_INVALID');
  t.is(
    (await failure(checkHealth(`127.0.0.1:${port}`, { deadlineMs: 5_000 }))).code,
    'VS_ERR_AUTH_TOKEN_MISSING',
    'the health service too',
  );
  const status = await getStatus(tokenMetadata(TOKEN));
  t.true(status.postgresReachable);
  t.is(await checkHealth(`127.0.0.1:${port}`, { metadata: tokenMetadata(TOKEN), deadlineMs: 5_000 }), 'SERVING');

  const bad = await failure(
    call(
      (m, o, cb) =>
        client.ensureDatabase({ database: 'x"; DROP DATABASE postgres; --', ownerRole: 'visionsuit' }, m, o, cb),
      { metadata: tokenMetadata(TOKEN), deadlineMs: 5_000 },
    ),
  );
  t.is(bad.code, 'VS_ERR_INVALID_NAME');
  t.deepEqual(await cluster.query("SELECT datname FROM pg_database WHERE datname = 'postgres'"), [
    { datname: 'postgres' },
  ]);
  const notScratch = await failure(
    call((m, o, cb) => client.dropScratchDatabase({ database: 'postgres' }, m, o, cb), {
      metadata: tokenMetadata(TOKEN),
      deadlineMs: 5_000,
    }),
  );
  t.is(notScratch.code, 'VS_ERR_NOT_SCRATCH');
});

test('buildAgentApp: our errors keep their code and message; anything else is INTERNAL and its cause is not sent', async (t) => {
  const dir = tempDir('servers-app');
  const log = createLogger({ name: 'agent-app', level: 'fatal' });
  const operations = new Operations(join(dir, 'state'), log);
  t.teardown(() => operations.close());
  const refuse = (): never => {
    throw new VsError('VS_ERR_OPERATION_RUNNING', 'operation migrate-x (migrate) is running', {
      details: { id: 'migrate-x' },
    });
  };
  const app = buildAgentApp({
    log,
    operations,
    statusSources: () => ({
      version: 'test',
      lifecycleState: 'running',
      uptimeSeconds: 3,
      runDir: join(dir, 'runs'),
      pairing: null,
      link: null,
      agentDb: null,
      connectorHealthUrl: 'http://127.0.0.1:1/healthz',
      operation: null,
      prismaSchema: join(dir, 'schema.prisma'),
      envFiles: [],
    }),
    pair: async () => {
      throw new Error('secret detail: password=hunter2');
    },
    preflight: async () => {
      throw new VsError('VS_ERR_NOT_PAIRED', 'this host is not paired with a PostgreSQL host');
    },
    migrate: refuse,
    rollback: refuse,
    prismaSwitch: refuse,
    install: refuse,
    rehearse: refuse,
    verify: refuse,
  });
  const socket = join(dir, 'app.sock');
  await bind(app.server, `unix:${socket}`);
  t.teardown(() => shutdownServer(app.server, 1_000).then(() => undefined));
  const { app: contract } = loadContract();
  const client = new contract.vsmigrate.app.v1.AgentApp(`unix:${socket}`, grpc.credentials.createInsecure());
  t.teardown(() => client.close());
  const opts = { deadlineMs: 5_000 };

  const status = await call<AppStatus__Output>((m, o, cb) => client.getStatus({}, m, o, cb), opts);
  t.is(status.agent?.version, 'test');
  t.is(status.link?.state, 'unpaired');

  const notPaired = await failure(
    call<PreflightReport__Output>((m, o, cb) => client.preflight({ sqlitePath: '' }, m, o, cb), opts),
  );
  t.is(notPaired.code, 'VS_ERR_NOT_PAIRED');
  t.is(notPaired.message, 'this host is not paired with a PostgreSQL host');

  const busy = await failure(
    call<Operation__Output>((m, o, cb) => client.migrate({ replaceTarget: false, policies: [] }, m, o, cb), opts),
  );
  t.is(busy.code, 'VS_ERR_OPERATION_RUNNING');
  t.deepEqual(busy.details, { id: 'migrate-x' });

  const internal = await failure(call((m, o, cb) => client.pair({ bundlePath: '/x' }, m, o, cb), opts));
  t.is(internal.code, 'VS_ERR_INTERNAL');
  t.notRegex(internal.message, /hunter2|secret detail/);

  const unknownRun = await failure(call((m, o, cb) => client.getReport({ runId: 'migrate-none' }, m, o, cb), opts));
  t.is(unknownRun.code, 'VS_ERR_NOT_FOUND');
});

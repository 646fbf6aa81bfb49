// Every call to agent-db must carry the deployment token; a refusal is logged
// without the token.
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { call, checkHealth, loadContract, tokenMetadata } from '../../shared/grpc.js';
import type { DbStatus__Output } from '../../proto/gen/vsmigrate/db/v1/DbStatus.js';
import { VsError } from '../../shared/errors.js';
import { startAgentDb } from '../harness/agents.js';
import { pollUntil } from '../harness/proc.js';
import { tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';
import type { AgentDbHandle } from '../harness/agents.js';

const tracker = trackWith(test);
let agentDb: AgentDbHandle;
let client: InstanceType<ReturnType<typeof loadContract>['db']['vsmigrate']['db']['v1']['AgentDb']>;

test.before(async () => {
  const dir = tempDir('agent-db-auth');
  const pg = await startCluster('agent-db-auth', tracker);
  agentDb = await startAgentDb(dir, pg);
  tracker.addProcess(agentDb.proc);
  client = new (loadContract().db.vsmigrate.db.v1.AgentDb)(
    `127.0.0.1:${agentDb.port}`,
    grpc.credentials.createInsecure(),
  );
});

test.after.always(() => client?.close());

const getStatus = (metadata?: grpc.Metadata) =>
  call<DbStatus__Output>((md, opts, cb) => client.getStatus({}, md, opts, cb), { metadata, deadlineMs: 3000 });

test.serial('the right token gets real status', async (t) => {
  const s = await getStatus(tokenMetadata(agentDb.token));
  t.true(s.postgresReachable);
  t.regex(s.serverVersion, /^15\./);
});

test.serial('no token: UNAUTHENTICATED, VS_ERR_AUTH_TOKEN_MISSING', async (t) => {
  const err = await t.throwsAsync(getStatus());
  t.true(err instanceof VsError);
  t.is((err as VsError).code, 'VS_ERR_AUTH_TOKEN_MISSING');
  t.is((err as VsError).grpcStatus, grpc.status.UNAUTHENTICATED);
});

test.serial('a wrong token is refused, also for the health service, and the log never holds it', async (t) => {
  const wrong = 'f'.repeat(64);
  const err = await t.throwsAsync(getStatus(tokenMetadata(wrong)));
  t.is((err as VsError).code, 'VS_ERR_AUTH_TOKEN_INVALID');
  const nearly = agentDb.token.slice(0, -1) + (agentDb.token.endsWith('0') ? '1' : '0');
  const err2 = await t.throwsAsync(getStatus(tokenMetadata(nearly)));
  t.is((err2 as VsError).code, 'VS_ERR_AUTH_TOKEN_INVALID');
  const healthErr = await t.throwsAsync(
    checkHealth(`127.0.0.1:${agentDb.port}`, { metadata: tokenMetadata(wrong), deadlineMs: 3000 }),
  );
  t.is((healthErr as VsError).code, 'VS_ERR_AUTH_TOKEN_INVALID');

  const refusals = await pollUntil('three refusals in the log', async () => {
    const lines = agentDb.proc
      .logLines()
      .filter((l) => l['msg'] === 'call refused: bad agent token' && l['errCode'] === 'VS_ERR_AUTH_TOKEN_INVALID');
    return lines.length >= 3 ? lines : undefined;
  });
  t.true(refusals.some((l) => l['method'] === '/vsmigrate.db.v1.AgentDb/GetStatus'));
  t.true(refusals.some((l) => l['method'] === '/grpc.health.v1.Health/Check'));
  const log = agentDb.proc.output();
  t.false(log.includes(wrong), 'the wrong token is not in the log');
  t.false(log.includes(nearly), 'the nearly-right token is not in the log');
  t.false(log.includes(agentDb.token), 'the real token is not in the log');
});

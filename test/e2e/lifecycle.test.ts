// SIGTERM drains and exits 0, with READY=1 at start and STOPPING=1 at stop sent
// to a real unix datagram socket standing in for systemd's.
import test from 'ava';
import { startAgentDb, appStatus } from '../harness/agents.js';
import { NotifySocket } from '../harness/notify.js';
import { pollUntil } from '../harness/proc.js';
import { binary, tempDir } from '../harness/system.js';
import { startPair, startCluster, trackWith } from '../harness/stage.js';
import * as grpc from '@grpc/grpc-js';
import { checkHealth, loadContract, tokenMetadata } from '../../shared/grpc.js';

const tracker = trackWith(test);
const haveNotify = binary('systemd-notify') !== undefined && binary('python3') !== undefined;

test.serial('agent-db: READY=1 once it answers, STOPPING=1 on SIGTERM, exit 0', async (t) => {
  if (!haveNotify) return t.pass('systemd-notify or python3 missing (CI fails instead)');
  const dir = tempDir('lifecycle-db');
  const notify = await NotifySocket.create(dir);
  tracker.addProcess(notify.proc);
  const pg = await startCluster('lifecycle-db', tracker);
  const agentDb = await startAgentDb(dir, pg, { env: { NOTIFY_SOCKET: notify.path } });
  tracker.addProcess(agentDb.proc);

  const ready = await notify.waitFor('READY=1');
  t.true(ready.message.includes(`MAINPID=${agentDb.proc.pid}`), 'READY=1 names the main pid');
  t.is(await checkHealth(`127.0.0.1:${agentDb.port}`, { metadata: tokenMetadata(agentDb.token), deadlineMs: 2000 }), 'SERVING');
  t.is(notify.withAssignment('STOPPING=1').length, 0);

  agentDb.proc.signal('SIGTERM');
  const exit = await agentDb.proc.waitForExit();
  t.deepEqual(exit, { code: 0, signal: null });
  const stopping = await notify.waitFor('STOPPING=1');
  t.true(stopping.t >= ready.t);
  const msgs = agentDb.proc.logLines().map((l) => l['msg']);
  t.true(msgs.indexOf('draining') >= 0 && msgs.indexOf('draining') < msgs.indexOf('exiting'));
});

test.serial('agent-app: READY=1 after its socket serves, STOPPING=1 on SIGTERM, exit 0 with the link up', async (t) => {
  if (!haveNotify) return t.pass('systemd-notify or python3 missing (CI fails instead)');
  const dir = tempDir('lifecycle-app-notify');
  const notify = await NotifySocket.create(dir);
  tracker.addProcess(notify.proc);
  const pair = await startPair('lifecycle-app', tracker, { agentAppEnv: { NOTIFY_SOCKET: notify.path } });
  await notify.waitFor('READY=1');
  await pollUntil('the link to be up', async () => (await appStatus(pair.agentApp.socketPath)).link?.state === 'up');

  pair.agentApp.proc.signal('SIGTERM');
  t.deepEqual(await pair.agentApp.proc.waitForExit(), { code: 0, signal: null });
  await notify.waitFor('STOPPING=1');
  const stopped = pair.agentApp.proc.logLines().filter((l) => l['msg'] === 'stopped').map((l) => l['hook']);
  t.deepEqual(stopped, ['grpc server', 'agent-db client', 'ssh link']);
});

test.serial('a second signal during the drain exits at once', async (t) => {
  const dir = tempDir('lifecycle-second');
  const pg = await startCluster('lifecycle-second', tracker);
  // A long drain budget, and a call held open so the drain has something to wait for.
  const agentDb = await startAgentDb(dir, pg, { config: { drainTimeoutMs: 60_000 } });
  tracker.addProcess(agentDb.proc);
  // A health Watch stream stays open until the server ends it: the drain waits for it.
  const { health } = loadContract();
  const client = new health.grpc.health.v1.Health(`127.0.0.1:${agentDb.port}`, grpc.credentials.createInsecure());
  const watch = client.watch({ service: '' }, tokenMetadata(agentDb.token));
  watch.on('error', () => {});
  await new Promise((r) => watch.once('data', r));
  agentDb.proc.signal('SIGTERM');
  await pollUntil('draining', async () => agentDb.proc.logLines().some((l) => l['msg'] === 'draining'));
  agentDb.proc.signal('SIGTERM');
  const exit = await agentDb.proc.waitForExit(5_000);
  t.is(exit.code, 1);
  t.true(agentDb.proc.logLines().some((l) => l['msg'] === 'second signal: exiting at once'));
  client.close();
});

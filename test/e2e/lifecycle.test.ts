// SIGTERM drains and exits 0, with READY=1 at start and STOPPING=1 at stop sent
// to a real unix datagram socket standing in for systemd's.
import test from 'ava';
import { fileURLToPath } from 'node:url';
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
  t.is(
    await checkHealth(`127.0.0.1:${agentDb.port}`, { metadata: tokenMetadata(agentDb.token), deadlineMs: 2000 }),
    'SERVING',
  );
  t.is(notify.withAssignment('STOPPING=1').length, 0);

  agentDb.proc.signal('SIGTERM');
  const exit = await agentDb.proc.waitForExit();
  t.deepEqual(exit, { code: 0, signal: null });
  const stopping = await notify.waitFor('STOPPING=1');
  t.true(stopping.t >= ready.t);
  const msgs = agentDb.proc.logLines().map((l) => l['msg']);
  t.true(msgs.indexOf('draining') >= 0 && msgs.indexOf('draining') < msgs.indexOf('exiting'));
});

const BLOCK_LOOP = fileURLToPath(new URL('../../../test/harness/block-loop.mjs', import.meta.url));

test.serial('watchdog: WATCHDOG=1 every half interval while the loop turns, none while it is blocked', async (t) => {
  if (!haveNotify) return t.pass('systemd-notify or python3 missing (CI fails instead)');
  const dir = tempDir('lifecycle-watchdog');
  const notify = await NotifySocket.create(dir);
  tracker.addProcess(notify.proc);
  const pg = await startCluster('lifecycle-watchdog', tracker);
  // WatchdogSec=1 as systemd would announce it: a ping every 500 ms.
  const agentDb = await startAgentDb(dir, pg, {
    env: { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '1000000', NODE_OPTIONS: `--import=${BLOCK_LOOP}` },
  });
  tracker.addProcess(agentDb.proc);
  const ready = await notify.waitFor('READY=1');
  t.is(
    await checkHealth(`127.0.0.1:${agentDb.port}`, { metadata: tokenMetadata(agentDb.token), deadlineMs: 2000 }),
    'SERVING',
  );
  await pollUntil('three watchdog pings', async () => notify.withAssignment('WATCHDOG=1').length >= 3, 5_000);
  const pings = notify.withAssignment('WATCHDOG=1');
  t.true(
    pings.every((p) => p.t >= ready.t && p.message.includes(`MAINPID=${agentDb.proc.pid}`)),
    'pings come after READY=1, from the main pid',
  );

  const blockedAt = Date.now() / 1000;
  agentDb.proc.signal('SIGUSR2');
  await new Promise((r) => setTimeout(r, 3_500));
  // Pings already under way may land just after the signal; none while the loop stays stuck.
  const during = notify.withAssignment('WATCHDOG=1').filter((p) => p.t > blockedAt + 0.8 && p.t < blockedAt + 2.9);
  t.deepEqual(during, [], 'no ping while the event loop is blocked');
  const before = notify.withAssignment('WATCHDOG=1').length;
  await pollUntil('pings to resume', async () => notify.withAssignment('WATCHDOG=1').length >= before + 2, 5_000);
  t.true(agentDb.proc.running);
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
  const stopped = pair.agentApp.proc
    .logLines()
    .filter((l) => l['msg'] === 'stopped')
    .map((l) => l['hook']);
  t.deepEqual(stopped, ['operation', 'grpc server', 'ssh link and agent-db client', 'run journal']);
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

// The SSH link: a wrong pinned host key never opens it; when sshd dies or goes
// silent agent-app's health turns NOT_SERVING within the keepalive window, and
// the link comes back by itself when sshd returns.
import test from 'ava';
import { checkHealth } from '../../shared/grpc.js';
import { appStatus } from '../harness/agents.js';
import { pollUntil, signalTree } from '../harness/proc.js';
import { Sshd } from '../harness/sshd.js';
import { startPair, trackWith } from '../harness/stage.js';

const tracker = trackWith(test);

// As configured by the harness for agent-app: keepalive every 500 ms, 2 missed.
const KEEPALIVE_WINDOW_MS = 500 * (2 + 1);

const health = (socketPath: string) => checkHealth(`unix:${socketPath}`, { deadlineMs: 2000 });

test.serial('a wrong pinned host key: the link never opens and status names the mismatch', async (t) => {
  const wrongKey = Sshd.otherHostKey();
  const pair = await startPair('wrong-host-key', tracker, { hostKey: wrongKey });
  const s = await pollUntil('the link to fail', async () => {
    const st = await appStatus(pair.agentApp.socketPath);
    return st.link?.state === 'failed' ? st : undefined;
  });
  t.is(s.link!.lastError!.code, 'VS_ERR_SSH_HOST_KEY_MISMATCH');
  t.true(s.link!.lastError!.message.includes(s.link!.hostKeyFingerprint), 'names the pinned fingerprint');
  t.is(await health(pair.agentApp.socketPath), 'NOT_SERVING');
  // It does not retry: a changed host key needs a person.
  await new Promise((r) => setTimeout(r, 1500));
  const again = await appStatus(pair.agentApp.socketPath);
  t.is(again.link!.state, 'failed');
  t.is(again.link!.reconnects, 0);
  // sshd saw no authentication at all: the client hung up during key exchange.
  t.notRegex(pair.sshd.output(), /Accepted publickey/);
  t.false(s.agentDb!.reachable);
});

test.serial('sshd killed: NOT_SERVING at once; sshd back: the link and health return without a restart', async (t) => {
  const pair = await startPair('sshd-restart', tracker);
  await pollUntil('SERVING', async () => (await health(pair.agentApp.socketPath)) === 'SERVING');
  const pidBefore = pair.agentApp.proc.pid;

  await pair.sshd.kill();
  const killedAt = Date.now();
  await pollUntil(
    'NOT_SERVING after sshd died',
    async () => (await health(pair.agentApp.socketPath)) === 'NOT_SERVING',
    KEEPALIVE_WINDOW_MS * 3,
  );
  t.log(`NOT_SERVING ${Date.now() - killedAt} ms after sshd was killed`);
  const down = await appStatus(pair.agentApp.socketPath);
  t.not(down.link!.state, 'up');

  await pair.sshd.start();
  await pollUntil(
    'SERVING after sshd returned',
    async () => (await health(pair.agentApp.socketPath)) === 'SERVING',
    15_000,
  );
  const up = await appStatus(pair.agentApp.socketPath);
  t.is(up.link!.state, 'up');
  t.true(up.link!.reconnects >= 1);
  t.true(up.agentDb!.reachable, 'agent-db answers through the new link');
  t.is(up.agentDb!.status!.postgresReachable, true);
  t.is(pair.agentApp.proc.pid, pidBefore);
  t.true(pair.agentApp.proc.running, 'agent-app was not restarted');
});

test.serial('sshd frozen (no FIN, no RST): keepalive notices within its window', async (t) => {
  const pair = await startPair('sshd-frozen', tracker);
  await pollUntil('SERVING', async () => (await health(pair.agentApp.socketPath)) === 'SERVING');
  signalTree(pair.sshd.proc!.pid, 'SIGSTOP');
  const frozenAt = Date.now();
  try {
    await pollUntil(
      'NOT_SERVING after sshd froze',
      async () => (await health(pair.agentApp.socketPath)) === 'NOT_SERVING',
      KEEPALIVE_WINDOW_MS * 4,
      50,
    );
    const elapsed = Date.now() - frozenAt;
    t.log(`NOT_SERVING ${elapsed} ms after sshd froze (keepalive window ${KEEPALIVE_WINDOW_MS} ms)`);
    const s = await appStatus(pair.agentApp.socketPath);
    t.not(s.link!.state, 'up');
  } finally {
    signalTree(pair.sshd.proc!.pid, 'SIGCONT');
  }
  await pollUntil(
    'SERVING after sshd thawed',
    async () => (await health(pair.agentApp.socketPath)) === 'SERVING',
    15_000,
  );
  t.pass();
});

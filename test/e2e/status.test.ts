// vsctl status through agent-app, the SSH link and agent-db shows real PostgreSQL facts.
import test from 'ava';
import { BIN, appStatus, runProgram, cleanEnv } from '../harness/agents.js';
import { pollUntil } from '../harness/proc.js';
import { startPair, trackWith } from '../harness/stage.js';
import type { Pair } from '../harness/stage.js';

const tracker = trackWith(test);
let pair: Pair;

test.before(async () => {
  pair = await startPair('status', tracker);
  await pollUntil('the link and agent-db to be healthy', async () => {
    const s = await appStatus(pair.agentApp.socketPath);
    return s.link?.state === 'up' && s.agentDb?.health === 'SERVING';
  });
});

test.serial('vsctl status --json reports the facts PostgreSQL itself reports', async (t) => {
  const r = await runProgram(BIN.vsctl, ['status', '--json', `--socket-path=${pair.agentApp.socketPath}`]);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  const [truth] = await pair.pg.query<Record<string, string>>(
    `SELECT current_setting('server_version') AS v, current_setting('password_encryption') AS pe,
            current_setting('max_connections') AS mc, current_setting('listen_addresses') AS la,
            current_setting('data_directory') AS dd, current_setting('ssl') AS ssl`,
  );
  t.is(s.link.state, 'up');
  t.is(s.link.sshPort, pair.sshd.port);
  t.regex(s.link.hostKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  t.is(s.agentDb.health, 'SERVING');
  const st = s.agentDb.status;
  t.true(st.postgresReachable);
  t.is(st.serverVersion, truth!['v']);
  t.is(st.passwordEncryption, truth!['pe']);
  t.is(st.maxConnections, Number(truth!['mc']));
  t.is(st.listenAddresses, truth!['la']);
  t.is(st.dataDirectory, truth!['dd']);
  t.is(st.ssl, truth!['ssl'] === 'on');
  t.true(Number(st.diskFreeBytes) > 0 && Number(st.diskFreeBytes) <= Number(st.diskTotalBytes));
  t.true(st.connections >= 1);
  t.deepEqual(s.verdict, { healthy: true, problems: [] });
});

test.serial('vsctl status prints a readable table with the verdict', async (t) => {
  const r = await runProgram(BIN.vsctl, ['status', `--socket-path=${pair.agentApp.socketPath}`]);
  t.is(r.code, 0, r.stderr);
  const [truth] = await pair.pg.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  t.regex(r.stdout, /^ {2}agent-app +running/m);
  t.regex(r.stdout, /^ {2}ssh link +up +vsm-test-link@127\.0\.0\.1:\d+/m);
  t.regex(r.stdout, /^ {2}agent-db +SERVING/m);
  const version = /^ {2}postgresql +reachable +(.+?), ssl/m.exec(r.stdout)?.[1];
  t.is(version, truth!.v);
  t.regex(r.stdout, /verdict: healthy/);
});

test.serial('vsctl status with no agent at the socket exits 3 with the error code', async (t) => {
  const r = await runProgram(
    BIN.vsctl,
    ['status', `--socket-path=${pair.dir}/nothing-here.sock`],
    cleanEnv({ VS_TIMEOUT_MS: '2000' }),
  );
  t.is(r.code, 3);
  t.regex(r.stderr, /error VS_ERR_AGENT_UNREACHABLE/);
  t.regex(r.stderr, /next: /);
});

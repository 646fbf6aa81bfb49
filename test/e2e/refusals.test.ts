// Bad input is refused with a message that names the key or the file and the fix.
import test from 'ava';
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, bundleFields, runProgram, cleanEnv, startAgentDb, writeBundle } from '../harness/agents.js';
import { Sshd } from '../harness/sshd.js';
import { tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';

const tracker = trackWith(test);

test('a config file with an unknown key is refused, naming the key', async (t) => {
  const dir = tempDir('unknown-key');
  const config = join(dir, 'agent-app.json');
  writeFileSync(
    config,
    JSON.stringify({ socketPath: join(dir, 's.sock'), link: { keepaliveIntervalMs: 1000, keepAliveCount: 3 } }),
  );
  const r = await runProgram(BIN.agentApp, ['--config', config, '--check-config']);
  t.is(r.code, 2);
  t.regex(r.stderr, /error VS_ERR_CONFIG_UNKNOWN_KEY: vs-agent-app: unknown config key "link\.keepAliveCount"/);
  t.regex(r.stderr, /next: Remove or correct the named key/);
});

test('an unknown VS_* variable and an unknown flag are refused, naming them', async (t) => {
  const env = await runProgram(
    BIN.agentDb,
    ['--check-config', '--config=/nonexistent.json'],
    cleanEnv({ VS_PROT: '1' }),
  );
  t.is(env.code, 2);
  t.regex(env.stderr, /cannot read config file \/nonexistent\.json/);
  const env2 = await runProgram(BIN.agentDb, ['--check-config'], cleanEnv({ VS_PROT: '1' }));
  t.is(env2.code, 2);
  t.regex(env2.stderr, /unknown environment variable VS_PROT/);
  const flag = await runProgram(BIN.agentDb, ['--check-config', '--prot=7000']);
  t.is(flag.code, 2);
  t.regex(flag.stderr, /unknown option --prot/);
  const ok = await runProgram(BIN.agentDb, ['--check-config', '--postgres-port=5433'], cleanEnv({ VS_PORT: '7999' }));
  t.is(ok.code, 0, ok.stderr);
  const cfg = JSON.parse(ok.stdout.slice(ok.stdout.indexOf('{')));
  t.is(cfg.port, 7999);
  t.is(cfg.postgres.port, 5433);
  t.is(cfg.postgres.user, 'vs_agent_db', 'defaults fill the rest');
});

test('a pairing bundle with mode 0644 is refused, naming the file and chmod 600', async (t) => {
  const dir = tempDir('bundle-mode');
  const pg = await startCluster('bundle-mode', tracker);
  const agentDb = await startAgentDb(dir, pg);
  tracker.addProcess(agentDb.proc);
  const sshd = await Sshd.create('bundle-mode', [agentDb.port, pg.port]);
  tracker.add(
    'sshd',
    () => sshd.proc,
    () => sshd.stop(),
  );
  const bundle = writeBundle(join(dir, 'vs-conf.txt'), bundleFields({ sshd, pg, agentDb }));
  chmodSync(bundle, 0o644);
  const config = join(dir, 'agent-app.json');
  writeFileSync(
    config,
    JSON.stringify({ socketPath: join(dir, 'run', 's.sock'), pairingFile: bundle, stateDir: join(dir, 'state') }),
  );
  const r = await runProgram(BIN.agentApp, ['--config', config]);
  t.is(r.code, 1);
  t.true(r.stderr.includes(`error VS_ERR_SECRET_FILE_MODE: pairing bundle ${bundle} has mode 0644`), r.stderr);
  t.true(r.stderr.includes(`run: chmod 600 ${bundle}`));
  t.false(r.stderr.includes(agentDb.token), 'no secret in the message');
  t.false(sshd.output().includes('Accepted publickey'), 'no connection was made with it');
});

// `vs-agent-db bootstrap` for real, as root: a PostgreSQL cluster reached by
// peer authentication as the postgres user (as on Debian), a real Linux user
// and sshd reading that user's authorized_keys, agent-db serving with the role
// bootstrap made for it (not a superuser), agent-app paired by `vsctl pair`,
// the provisioning RPCs, drift repair, and `unbootstrap` leaving no trace.
import test from 'ava';
import { chmodSync, copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import pg from 'pg';
import { Client } from 'ssh2';
import type { ClientChannel } from 'ssh2';
import * as grpc from '@grpc/grpc-js';
import { BIN, appStatus, cleanEnv, runProgram, startAgentApp } from '../harness/agents.js';
import { execFile } from 'node:child_process';
import type { AgentAppHandle } from '../harness/agents.js';
import { ManagedProcess, pollUntil } from '../harness/proc.js';
import { Sshd } from '../harness/sshd.js';
import { trackWith } from '../harness/stage.js';
import { prepareBootstrapStage, runAgentDb, serveAgentDb } from '../harness/bootstrap-stage.js';
import type { BootstrapStage } from '../harness/bootstrap-stage.js';
import { canConnect, freePort, isRoot, tempDir } from '../harness/system.js';
import { call, loadContract, tokenMetadata } from '../../shared/grpc.js';
import { toVsError } from '../../shared/errors.js';
import { parseBundle } from '../../shared/bundle.js';
import type { Pairing } from '../../shared/bundle.js';
import { restrictedKeyLine } from '../../agent-db/bootstrap.js';
import type { AgentDbClient } from '../../proto/gen/vsmigrate/db/v1/AgentDb.js';

const tracker = trackWith(test);

interface Stage extends BootstrapStage {
  agentDb?: ManagedProcess;
  agentApp?: AgentAppHandle;
}
let s: Stage;

const bootstrapRun = (...args: string[]) => runAgentDb(s, ...args);
const bundle = (): Pairing => parseBundle(readFileSync(s.config.bootstrap.bundlePath), 'bundle');
const superQuery = <R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], db = 'postgres') =>
  s.pg.query<R>(sql, params, db);

function agentDbClient(): { client: AgentDbClient; md: grpc.Metadata } {
  const { db } = loadContract();
  const token = readFileSync(s.config.tokenFile, 'utf8').trim();
  return {
    client: new db.vsmigrate.db.v1.AgentDb(`127.0.0.1:${s.agentDbPort}`, grpc.credentials.createInsecure()),
    md: tokenMetadata(token),
  };
}

/** One agent-db call, its error as our VsError. */
async function rpc<R>(
  fn: (c: AgentDbClient, md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<R>) => void,
): Promise<R> {
  const { client, md } = agentDbClient();
  try {
    return await call<R>((m, opts, cb) => fn(client, m, opts, cb), { metadata: md, deadlineMs: 30_000 });
  } finally {
    client.close();
  }
}

async function rpcError(fn: Parameters<typeof rpc>[0]): Promise<string> {
  try {
    await rpc(fn);
    return 'no error';
  } catch (err) {
    return toVsError(err).code;
  }
}

async function ownerConnects(password: string, database = 'visionsuit'): Promise<boolean> {
  const c = new pg.Client({ host: '127.0.0.1', port: s.pg.port, user: 'visionsuit', password, database });
  c.on('error', () => {});
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

test.before(async () => {
  if (isRoot) s = await prepareBootstrapStage('bootstrap', tracker);
});

test.after.always(async () => {
  // A failed run must not leave the Linux user behind.
  if (s?.user && existsSync(join(s.config.bootstrap.secretsDir, 'record.json')))
    await bootstrapRun('unbootstrap', '--force', '--drop-data').catch(() => {});
});

test.serial(
  'bootstrap provisions role, database, user and restricted key; a second run changes nothing; the bundle pairs',
  async (t) => {
    if (!isRoot) return t.pass('needs root (it creates a Linux user)');
    const first = await bootstrapRun('bootstrap');
    t.is(first.code, 0, first.stdout + first.stderr);
    for (const line of [
      /installed .*vsmigrate-vsm-bt-[0-9a-f]+\.conf \(Match User .*\) and reloaded sshd/,
      /ok +sshd applies it: AllowTcpForwarding local, PermitListen none/,
      /created role visionsuit/,
      /created database visionsuit owned by visionsuit/,
      /created role vs_agent_db/,
      new RegExp(`created Linux user ${s.user}`),
      /installed the key/,
      /wrote the pairing bundle/,
      /generated the agent token/,
    ]) {
      t.regex(first.stdout, line);
    }
    const [role] = await superQuery<{ rolcanlogin: boolean; rolsuper: boolean; scram: boolean }>(
      "SELECT rolcanlogin, rolsuper, rolpassword LIKE 'SCRAM-SHA-256$%' AS scram FROM pg_authid WHERE rolname = 'visionsuit'",
    );
    t.deepEqual(role, { rolcanlogin: true, rolsuper: false, scram: true });
    const [agentRole] = await superQuery<{ rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean }>(
      "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'vs_agent_db'",
    );
    t.deepEqual(agentRole, { rolsuper: false, rolcreatedb: true, rolcreaterole: true });
    const [db] = await superQuery<{ owner: string; public_connect: boolean }>(
      `SELECT pg_get_userbyid(datdba) AS owner, has_database_privilege('public', oid, 'CONNECT') AS public_connect FROM pg_database WHERE datname = 'visionsuit'`,
    );
    t.deepEqual(db, { owner: 'visionsuit', public_connect: false });
    const passwd = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${s.user}:`));
    t.truthy(passwd);
    t.true(passwd!.endsWith(':/usr/sbin/nologin'));
    const authorized = join(s.config.bootstrap.sshHome, '.ssh', 'authorized_keys');
    const pub = readFileSync(join(s.config.bootstrap.secretsDir, 'migrator_ed25519.pub'), 'utf8');
    t.is(readFileSync(authorized, 'utf8'), restrictedKeyLine(pub, [s.pg.port, s.agentDbPort]));
    t.is(statSync(authorized).uid, 0, 'root owns authorized_keys: the user cannot loosen its restrictions');
    t.is(statSync(s.config.bootstrap.bundlePath).mode & 0o777, 0o600);
    const b = bundle();
    t.is(b.postgres.password.length, 43, '32 random bytes, base64url');
    t.true(await ownerConnects(b.postgres.password));

    const bundleBefore = readFileSync(s.config.bootstrap.bundlePath, 'utf8');
    const second = await bootstrapRun('bootstrap');
    t.is(second.code, 0, second.stderr);
    t.regex(second.stdout, /bootstrap: nothing to change/);
    t.notRegex(second.stdout, /^ {2}\+ /m);
    t.is(readFileSync(s.config.bootstrap.bundlePath, 'utf8'), bundleBefore);

    // agent-db as its own, non-superuser role; agent-app paired by vsctl.
    s.agentDb = await serveAgentDb(s, tracker);
    const pairingFile = join(s.dir, 'app-state', 'pairing.conf');
    s.agentApp = await startAgentApp(join(s.dir), pairingFile);
    tracker.addProcess(s.agentApp.proc);
    t.false((await appStatus(s.agentApp.socketPath)).agent?.paired);
    const paired = await runProgram(BIN.vsctl, [
      'pair',
      '--bundle',
      s.config.bootstrap.bundlePath,
      `--socket-path=${s.agentApp.socketPath}`,
    ]);
    t.is(paired.code, 0, paired.stdout + paired.stderr);
    t.true(paired.stdout.includes(b.ssh.hostKey.fingerprint));
    t.regex(paired.stdout, /no longer needed: delete it/);
    t.is(statSync(pairingFile).mode & 0o777, 0o600);
    t.is(readFileSync(pairingFile, 'utf8'), bundleBefore);
    await pollUntil('the paired link and agent-db to be healthy', async () => {
      const st = await appStatus(s.agentApp!.socketPath);
      return (
        st.agent?.paired &&
        st.link?.state === 'up' &&
        st.agentDb?.health === 'SERVING' &&
        st.agentDb.status?.postgresReachable
      );
    });
  },
);

/** A command that is not ours (OpenSSH's client), its exit code and output; bounded to 30 s. */
function runCommand(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env: cleanEnv(), timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({
        code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0,
        stdout,
        stderr,
      });
    });
  });
}

function sshConnect(pairing: Pairing): Promise<Client> {
  const c = new Client();
  return new Promise((resolve, reject) => {
    c.once('ready', () => resolve(c)).once('error', reject);
    c.connect({
      host: '127.0.0.1',
      port: s.sshd.port,
      username: pairing.ssh.user,
      privateKey: pairing.ssh.privateKey,
      hostVerifier: () => true,
    });
  });
}

const forward = (c: Client, port: number) =>
  new Promise<ClientChannel>((resolve, reject) =>
    c.forwardOut('127.0.0.1', 0, '127.0.0.1', port, (err, ch) => (err ? reject(err) : resolve(ch))),
  );

test.serial('the issued key: a shell is refused, other forwards are refused, the two forwards work', async (t) => {
  if (!isRoot) return t.pass('needs root');
  const other = net.createServer((sock) => sock.end('SHOULD-NOT-ARRIVE'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  const c = await sshConnect(bundle());
  t.teardown(() => {
    c.end();
    other.close();
  });
  const out = await new Promise<string>((resolve, reject) =>
    c.exec('echo SHELL-OK', (err, ch) => {
      if (err) return reject(err);
      let text = '';
      ch.on('data', (d: Buffer) => (text += d)).stderr.on('data', (d: Buffer) => (text += d));
      ch.on('close', () => resolve(text));
    }),
  );
  t.false(out.includes('SHELL-OK'));
  t.regex(out, /not available/);
  await t.throwsAsync(forward(c, (other.address() as net.AddressInfo).port), { message: /open failed|prohibited/i });
  // Data safety, item 5: on a stock sshd the key line alone let `ssh -R` listen, as the migrator, on the
  // PostgreSQL host's loopback (it could squat agent-db's or PostgreSQL's port). OpenSSH's own client tries.
  const dir = tempDir('ssh-remote-forward');
  const key = join(dir, 'key');
  writeFileSync(key, bundle().ssh.privateKey, { mode: 0o600 });
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${s.sshd.port} ${s.sshd.hostKeyPublic}\n`);
  const squat = await freePort();
  const remote = await runCommand('ssh', [
    '-N',
    '-F',
    '/dev/null',
    '-i',
    key,
    '-p',
    String(s.sshd.port),
    '-o',
    'BatchMode=yes',
    '-o',
    'ExitOnForwardFailure=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-R',
    `127.0.0.1:${squat}:127.0.0.1:${s.pg.port}`,
    `${s.user}@127.0.0.1`,
  ]);
  t.is(remote.code, 255, remote.stderr);
  t.regex(remote.stderr, /remote port forwarding failed/);
  t.false(await canConnect(squat), 'nothing listens on the port the forward asked for');
  // PostgreSQL answers an SSLRequest through its forward; agent-db's port accepts a channel.
  const pgChannel = await forward(c, s.pg.port);
  const answer = await new Promise<string>((resolve) => {
    pgChannel.once('data', (d: Buffer) => resolve(d.toString()));
    pgChannel.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
  });
  t.is(answer, 'N');
  pgChannel.close();
  const agentChannel = await forward(c, s.agentDbPort);
  t.truthy(agentChannel);
  agentChannel.close();
});

test.serial(
  'drift repair: a changed password and a lost LOGIN are restored by bootstrap and by EnsureDatabase; pairing still works',
  async (t) => {
    if (!isRoot) return t.pass('needs root');
    const { password } = bundle().postgres;
    await superQuery("ALTER ROLE visionsuit NOLOGIN PASSWORD 'changed by hand'");
    t.false(await ownerConnects(password));
    const r = await bootstrapRun('bootstrap');
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /restored LOGIN of role visionsuit/);
    t.regex(r.stdout, /reset the password of role visionsuit \(it had drifted\)/);
    t.true(await ownerConnects(password));

    // The same repair through agent-db, which is not a superuser and checks the password by logging in.
    await superQuery("ALTER ROLE visionsuit NOLOGIN PASSWORD 'changed again'");
    const ensured = await rpc<{ changes: string[] }>((c, md, o, cb) =>
      c.ensureDatabase({ database: 'visionsuit', ownerRole: 'visionsuit', password }, md, o, cb),
    );
    t.deepEqual(ensured.changes, [
      'restored LOGIN of role visionsuit',
      'reset the password of role visionsuit (it had drifted)',
    ]);
    const again = await rpc<{ changes: string[] }>((c, md, o, cb) =>
      c.ensureDatabase({ database: 'visionsuit', ownerRole: 'visionsuit', password }, md, o, cb),
    );
    t.deepEqual(again.changes, []);

    const pre = await runProgram(BIN.vsctl, ['preflight', '--json', `--socket-path=${s.agentApp!.socketPath}`]);
    const login = JSON.parse(pre.stdout).checks.find((c: { name: string }) => c.name === 'postgres login');
    t.is(login.status, 'ok', login.detail);
  },
);

test.serial(
  'agent-db RPCs: scratch databases, backup, maintenance, rotation; names are refused, never executed',
  async (t) => {
    if (!isRoot) return t.pass('needs root');
    const { password } = bundle().postgres;
    const scratch = await rpc<{ database: string }>((c, md, o, cb) =>
      c.createScratchDatabase({ label: 'Run 42', ownerRole: 'visionsuit' }, md, o, cb),
    );
    t.regex(scratch.database, /^vsrehearsal_run_42_[0-9a-f]{8}$/);
    t.true(await ownerConnects(password, scratch.database));
    const dropped = await rpc<{ dropped: boolean }>((c, md, o, cb) =>
      c.dropScratchDatabase({ database: scratch.database }, md, o, cb),
    );
    t.true(dropped.dropped);
    t.deepEqual(await superQuery('SELECT 1 FROM pg_database WHERE datname = $1', [scratch.database]), []);
    t.is(
      await rpcError((c, md, o, cb) => c.dropScratchDatabase({ database: 'visionsuit' }, md, o, cb)),
      'VS_ERR_NOT_SCRATCH',
    );
    t.is(
      await rpcError((c, md, o, cb) =>
        c.dropScratchDatabase({ database: 'vsrehearsal_x_00000000"; DROP DATABASE visionsuit; --' }, md, o, cb),
      ),
      'VS_ERR_NOT_SCRATCH',
    );

    for (const name of [
      'x"; DROP DATABASE visionsuit; --',
      'with space',
      "o'brien",
      'Robert); DROP TABLE students;--',
    ]) {
      t.is(
        await rpcError((c, md, o, cb) => c.ensureDatabase({ database: name, ownerRole: 'visionsuit' }, md, o, cb)),
        'VS_ERR_INVALID_NAME',
        name,
      );
      t.is(
        await rpcError((c, md, o, cb) => c.ensureDatabase({ database: 'visionsuit', ownerRole: name }, md, o, cb)),
        'VS_ERR_INVALID_NAME',
        name,
      );
      t.is(
        await rpcError((c, md, o, cb) => c.backupDatabase({ database: name }, md, o, cb)),
        'VS_ERR_INVALID_NAME',
        name,
      );
    }
    t.is((await superQuery("SELECT count(*)::int AS n FROM pg_database WHERE datname = 'visionsuit'"))[0]!['n'], 1);
    t.is(await rpcError((c, md, o, cb) => c.rotatePassword({ role: 'postgres' }, md, o, cb)), 'VS_ERR_ROLE_PROTECTED');
    t.is(
      await rpcError((c, md, o, cb) => c.rotatePassword({ role: 'vs_agent_db' }, md, o, cb)),
      'VS_ERR_ROLE_PROTECTED',
    );

    // Backup of a database with a table: a custom-format dump whose size and checksum are reported truly.
    const owner = new pg.Client({
      host: '127.0.0.1',
      port: s.pg.port,
      user: 'visionsuit',
      password,
      database: 'visionsuit',
    });
    await owner.connect();
    await owner.query('CREATE TABLE "Kept" (id int PRIMARY KEY, label text); INSERT INTO "Kept" VALUES (1, \'one\')');
    await owner.end();
    const backup = await rpc<{ path: string; sizeBytes: string; sha256: string }>((c, md, o, cb) =>
      c.backupDatabase({ database: 'visionsuit' }, md, o, cb),
    );
    t.is(statSync(backup.path).size, Number(backup.sizeBytes));
    t.is(readFileSync(backup.path).subarray(0, 5).toString(), 'PGDMP');
    const { createHash } = await import('node:crypto');
    t.is(createHash('sha256').update(readFileSync(backup.path)).digest('hex'), backup.sha256);
    const maintained = await rpc<{ seconds: number }>((c, md, o, cb) =>
      c.maintain({ database: 'visionsuit' }, md, o, cb),
    );
    t.true(maintained.seconds >= 0);
    const [analyzed] = await superQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_user_tables WHERE relname = 'Kept' AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL`,
      [],
      'visionsuit',
    );
    t.is(analyzed!.n, 1);

    const rotated = await rpc<{ password: string }>((c, md, o, cb) =>
      c.rotatePassword({ role: 'visionsuit' }, md, o, cb),
    );
    t.is(rotated.password.length, 43);
    t.true(await ownerConnects(rotated.password));
    t.false(await ownerConnects(password));
    t.notRegex(
      readFileSync(join(s.dir, 'agent-db.log'), 'utf8'),
      new RegExp(rotated.password.replace(/[-]/g, '\\-')),
      'the secret is never logged',
    );
    // Back to the bundle's password, as the next bootstrap would do.
    await rpc((c, md, o, cb) =>
      c.ensureDatabase({ database: 'visionsuit', ownerRole: 'visionsuit', password }, md, o, cb),
    );
    t.true(await ownerConnects(password));
  },
);

test.serial('pair refuses a bundle whose host key does not match, and a bundle others can read', async (t) => {
  if (!isRoot) return t.pass('needs root');
  const pairingFile = join(s.dir, 'app-state', 'pairing.conf');
  const stored = readFileSync(pairingFile, 'utf8');
  const wrongKey = join(s.dir, 'wrong-host-key.txt');
  const good = readFileSync(s.config.bootstrap.bundlePath, 'utf8');
  const hostKeyLine = good.split('\n').find((l) => l.startsWith('SSH_HOST_KEY='))!;
  writeFileSync(wrongKey, good.replace(hostKeyLine, `SSH_HOST_KEY='${Sshd.otherHostKey()}'`), { mode: 0o600 });
  const mismatch = await runProgram(BIN.vsctl, [
    'pair',
    '--bundle',
    wrongKey,
    `--socket-path=${s.agentApp!.socketPath}`,
  ]);
  t.not(mismatch.code, 0);
  t.regex(mismatch.stderr, /VS_ERR_SSH_HOST_KEY_MISMATCH/);

  const open = join(s.dir, 'readable.txt');
  copyFileSync(s.config.bootstrap.bundlePath, open);
  chmodSync(open, 0o644);
  const readable = await runProgram(BIN.vsctl, ['pair', '--bundle', open, `--socket-path=${s.agentApp!.socketPath}`]);
  t.not(readable.code, 0);
  t.regex(readable.stderr, /VS_ERR_SECRET_FILE_MODE/);
  t.regex(readable.stderr, /chmod 600/);
  t.is(readFileSync(pairingFile, 'utf8'), stored, 'a refused bundle changes nothing');
  t.is((await appStatus(s.agentApp!.socketPath)).link?.state, 'up');
});

test.serial(
  'unbootstrap --force keeps a database with data, and one it cannot look inside, unless --drop-data; then leaves no trace',
  async (t) => {
    if (!isRoot) return t.pass('needs root');
    await s.agentApp?.proc.stop();
    await s.agentDb?.stop();
    const noForce = await bootstrapRun('unbootstrap');
    t.is(noForce.code, 2);
    t.regex(noForce.stderr, /--force/);

    // Data safety, item 3: a database the superuser cannot connect to was taken for empty and dropped.
    await superQuery(
      'CREATE TABLE public.precious AS SELECT g AS id FROM generate_series(1, 1000) g',
      [],
      'visionsuit',
    );
    await superQuery('ALTER DATABASE visionsuit ALLOW_CONNECTIONS false');
    const blind = await bootstrapRun('unbootstrap', '--force');
    t.is(blind.code, 1, blind.stdout + blind.stderr);
    t.regex(blind.stdout, /kept database visionsuit: cannot tell whether it holds data \(.+\)/);
    t.notRegex(blind.stdout, /- +database visionsuit/);
    await superQuery('ALTER DATABASE visionsuit ALLOW_CONNECTIONS true');
    t.is(
      (await superQuery<{ n: number }>('SELECT count(*)::int AS n FROM public.precious', [], 'visionsuit'))[0]!.n,
      1000,
    );

    const kept = await bootstrapRun('unbootstrap', '--force');
    t.is(kept.code, 1, kept.stdout + kept.stderr);
    t.regex(kept.stdout, /kept database visionsuit: it holds data/);
    t.is((await superQuery("SELECT count(*)::int AS n FROM pg_database WHERE datname = 'visionsuit'"))[0]!['n'], 1);

    const r = await bootstrapRun('unbootstrap', '--force', '--drop-data');
    t.is(r.code, 0, r.stdout + r.stderr);
    t.deepEqual(await superQuery("SELECT rolname FROM pg_roles WHERE rolname IN ('visionsuit', 'vs_agent_db')"), []);
    t.deepEqual(await superQuery("SELECT datname FROM pg_database WHERE datname = 'visionsuit'"), []);
    t.false(readFileSync('/etc/passwd', 'utf8').includes(`${s.user}:`));
    t.false(readFileSync('/etc/group', 'utf8').includes(`${s.user}:`));
    for (const path of [
      s.config.bootstrap.bundlePath,
      s.config.bootstrap.secretsDir,
      s.config.bootstrap.sshHome,
      s.config.tokenFile,
      s.config.postgres.passwordFile,
    ]) {
      t.false(existsSync(path), path);
    }
    t.true(existsSync(join(s.dir, 'agent-db-state', 'backups')), "backups are not bootstrap's to remove");
    t.false(existsSync(join(s.config.bootstrap.sshdDropInDir, `vsmigrate-${s.user}.conf`)), 'the sshd drop-in is gone');
  },
);

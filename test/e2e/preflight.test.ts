// `vsctl preflight` on a real pair: all green when everything is in order, and
// each problem named, with a non-zero exit, when the disk is too small, the
// SQLite file is corrupt, or PostgreSQL is stopped.
import test from 'ava';
import {
  closeSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BIN, appStatus, runProgram, startAgentApp } from '../harness/agents.js';
import { pollUntil } from '../harness/proc.js';
import { startPair, trackWith } from '../harness/stage.js';
import type { Pair } from '../harness/stage.js';
import { FIXTURE_SCHEMA, generateFixture } from '../fixtures/generate.js';
import { readBundleFile } from '../../shared/bundle.js';
import { tempDir } from '../harness/system.js';

const tracker = trackWith(test);
let pair: Pair;
let sqlitePath: string;

interface Check {
  name: string;
  status: string;
  detail: string;
  error?: { code: string };
}

async function preflight(
  socketPath: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; checks: Map<string, Check> }> {
  const text = await runProgram(BIN.vsctl, ['preflight', ...args, `--socket-path=${socketPath}`]);
  const json = await runProgram(BIN.vsctl, ['preflight', '--json', ...args, `--socket-path=${socketPath}`]);
  const report = JSON.parse(json.stdout) as { checks: Check[]; ok: boolean };
  if (text.code !== json.code) throw new Error(`text and --json exit codes differ: ${text.code} vs ${json.code}`);
  return { code: text.code, stdout: text.stdout, checks: new Map(report.checks.map((c) => [c.name, c])) };
}

test.before(async () => {
  const dir = tempDir('preflight-fixture');
  sqlitePath = (await generateFixture('tiny', join(dir, 'dev.db'))).path;
  pair = await startPair('preflight', tracker, { agentAppConfig: { sqlitePath, prismaSchema: FIXTURE_SCHEMA } });
  // The owner role and its empty database, as bootstrap leaves them.
  const { postgres } = await readBundleFile(pair.bundlePath);
  await pair.pg.query(`CREATE ROLE visionsuit LOGIN PASSWORD '${postgres.password}'`);
  await pair.pg.query('CREATE DATABASE visionsuit OWNER visionsuit');
  await pollUntil('a healthy pair', async () => {
    const s = await appStatus(pair.agentApp.socketPath);
    return s.link?.state === 'up' && s.agentDb?.health === 'SERVING';
  });
});

test.serial(
  "on a healthy pair every check is green but the fixture's own drift (named), and the verdict is ready",
  async (t) => {
    const r = await preflight(pair.agentApp.socketPath);
    t.is(r.code, 0, r.stdout);
    t.regex(r.stdout, /verdict: ready to migrate/);
    const names = [
      'pairing',
      'ssh link',
      'agent-db',
      'postgres settings',
      'postgres login',
      'target database',
      'env files',
      'prisma files',
      'sqlite file',
      'disk (PostgreSQL host)',
      'disk (this host)',
      'sqlite integrity',
      'schema drift',
      'data lint',
    ];
    t.deepEqual([...r.checks.keys()], names);
    for (const c of r.checks.values()) if (c.name !== 'schema drift') t.is(c.status, 'ok', `${c.name}: ${c.detail}`);
    // The fixture has VisionSuit's own drift: its migration cascades, its schema.prisma restricts.
    const drift = r.checks.get('schema drift')!;
    t.is(drift.status, 'warn');
    t.regex(
      drift.detail,
      /^1 difference\(s\): CuratorApplication_userId_fkey: schema\.prisma ON DELETE RESTRICT ON UPDATE CASCADE, the SQLite file ON DELETE CASCADE ON UPDATE CASCADE: on SQLite deleting a User deletes its userId rows here; following the schema, on PostgreSQL deleting a User that rows here reference is refused \(Prisma P2003\)/,
    );
    t.regex(r.checks.get('ssh link')!.detail, /host key SHA256:\S+ \(pinned, matched\)/);
    t.regex(r.checks.get('postgres login')!.detail, /as visionsuit to visionsuit through the link/);
  },
);

// Data safety, item 9: a hard-linked env file kept the old URL under its other name after the switch.
test.serial('a hard-linked env file is named and blocks, before anything stops', async (t) => {
  const dir = join(pair.dir, 'linked');
  mkdirSync(dir);
  const env = join(dir, 'vs-backend.env');
  writeFileSync(env, 'DATABASE_URL="file:./dev.db"\n');
  linkSync(env, join(dir, 'backup-copy.env'));
  const linked = await startAgentApp(dir, pair.bundlePath, {
    config: { sqlitePath, prismaSchema: FIXTURE_SCHEMA, envFiles: [env] },
  });
  tracker.addProcess(linked.proc);
  await pollUntil(
    'the third agent-app to be linked',
    async () => (await appStatus(linked.socketPath)).agentDb?.health === 'SERVING',
  );
  const r = await preflight(linked.socketPath);
  t.not(r.code, 0);
  t.is(r.checks.get('env files')!.status, 'fail');
  t.is(r.checks.get('env files')!.error!.code, 'VS_ERR_ENVFILE_LINKED');
  t.regex(r.checks.get('env files')!.detail, /vs-backend\.env has 2 hard links/);
  await linked.proc.stop();
});

test.serial('a disk requirement above the free space is named and blocks', async (t) => {
  mkdirSync(join(pair.dir, 'strict'));
  const strict = await startAgentApp(join(pair.dir, 'strict'), pair.bundlePath, {
    config: { sqlitePath, prismaSchema: FIXTURE_SCHEMA, preflight: { minFreeBytes: Number.MAX_SAFE_INTEGER } },
  });
  tracker.addProcess(strict.proc);
  await pollUntil(
    'the second agent-app to be linked',
    async () => (await appStatus(strict.socketPath)).agentDb?.health === 'SERVING',
  );
  const r = await preflight(strict.socketPath);
  t.is(r.code, 4);
  for (const name of ['disk (PostgreSQL host)', 'disk (this host)']) {
    t.is(r.checks.get(name)!.status, 'fail');
    t.is(r.checks.get(name)!.error!.code, 'VS_ERR_DISK_SPACE');
  }
  t.regex(r.stdout, /FAIL {2}disk \(PostgreSQL host\) +[\d.]+ [GM]iB free on the data directory, [\d.]+ GiB needed/);
  t.regex(r.stdout, /verdict: BLOCKED: 2 check\(s\) failed/);
  await strict.proc.stop();
});

test.serial('a corrupt SQLite file is named and blocks; the file is not changed', async (t) => {
  const corrupt = join(pair.dir, 'corrupt.db');
  copyFileSync(sqlitePath, corrupt);
  const fd = openSync(corrupt, 'r+');
  writeSync(fd, randomBytes(8192), 0, 8192, 8192);
  closeSync(fd);
  const before = readFileSync(corrupt);
  const r = await preflight(pair.agentApp.socketPath, '--sqlite', corrupt);
  t.is(r.code, 4);
  const integrity = r.checks.get('sqlite integrity')!;
  t.is(integrity.status, 'fail', integrity.detail);
  t.is(integrity.error!.code, 'VS_ERR_SQLITE_CORRUPT');
  t.is(r.checks.get('data lint')!.status, 'skip');
  t.is(r.checks.get('postgres login')!.status, 'ok');
  t.deepEqual(readFileSync(corrupt), before, 'preflight only reads');
});

test.serial('with PostgreSQL stopped, agent-db and the login are named and block', async (t) => {
  await pair.pg.stop();
  await pollUntil(
    'agent-db to report PostgreSQL down',
    async () => (await appStatus(pair.agentApp.socketPath)).agentDb?.health === 'NOT_SERVING',
  );
  const r = await preflight(pair.agentApp.socketPath);
  t.is(r.code, 4);
  t.is(r.checks.get('ssh link')!.status, 'ok');
  t.is(r.checks.get('agent-db')!.status, 'fail');
  t.is(r.checks.get('agent-db')!.error!.code, 'VS_ERR_PG_UNREACHABLE');
  t.is(r.checks.get('postgres login')!.status, 'fail');
  t.is(r.checks.get('sqlite integrity')!.status, 'ok');
  t.regex(r.stdout, /FAIL {2}agent-db +agent-db answers, but reports PostgreSQL as not reachable/);
});

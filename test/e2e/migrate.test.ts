// `vsctl migrate` end to end on a real stage: the stand-in backend serving a
// generated VisionSuit database, agent-app freezing it, migrating through the
// SSH link, switching the env files to the external connector and proving the
// app healthy on PostgreSQL; and rolling back by itself when it is not.
import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import dotenv from 'dotenv';
import { BIN, runProgram } from '../harness/agents.js';
import { trackWith } from '../harness/stage.js';
import {
  backend,
  prismaFiles,
  prismaRows,
  startCutoverStage,
  startPrismaReader,
  watchLive,
} from '../harness/cutover.js';
import type { CutoverStage } from '../harness/cutover.js';
import { parseDatabaseUrl } from '../../shared/database-url.js';

const tracker = trackWith(test);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

interface Event {
  sequence: string;
  step?: { name: string; state: string; detail: string };
  table?: { table: string };
  finished?: { id: string; state: string; error?: { code: string; message: string } };
  log?: { message: string };
}

/** vsctl with the stage's socket; --json output parsed line by line. */
async function vsctl(stage: CutoverStage, ...args: string[]) {
  const r = await runProgram(BIN.vsctl, [...args, `--socket-path=${stage.agentApp.socketPath}`]);
  return r;
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event);

function envSnapshot(
  stage: CutoverStage,
): Array<{ path: string; text: string; vars: Record<string, string>; mode: number }> {
  return stage.envFiles.map((path) => ({
    path,
    text: readFileSync(path, 'utf8'),
    vars: dotenv.parse(readFileSync(path)),
    mode: statSync(path).mode & 0o777,
  }));
}

test('vsctl migrate moves the medium fixture; the app serves the same data from PostgreSQL; SQLite is sealed unchanged', async (t) => {
  // About 100 s under the full suite's load: the migration, then every row of 30 models read twice through Prisma.
  t.timeout(360_000);
  const stage = await startCutoverStage('migrate-medium', tracker, { fixture: 'medium' });
  const usersBefore = await backend<unknown[]>(stage, '/api/users');
  const statsBefore = await backend<{ database: string; counts: Record<string, number> }>(stage, '/api/stats');
  t.is(statsBefore.body.database, 'sqlite');
  const envBefore = envSnapshot(stage);
  const shaBefore = sha(stage.sqlitePath);

  const started = await vsctl(stage, 'migrate', '--offline', '--detach', '--json');
  t.is(started.code, 0, started.stderr);
  const id = (JSON.parse(started.stdout) as { id: string }).id;

  // A rogue writer during the freeze: the write lock turns it away; the backend itself is stopped.
  const attempts: string[] = [];
  const first = await watchLive<Event>(stage, id, (e, child) => {
    if (e.step?.name === 'freeze' && e.step.state === 'finished') {
      const rogue = new Database(stage.sqlitePath, { timeout: 200 });
      try {
        rogue
          .prepare(
            `INSERT INTO "Tag" (id, label, "isAdult", "createdAt", "updatedAt") VALUES ('rogue', 'rogue', 0, 0, 0)`,
          )
          .run();
        attempts.push('written');
      } catch (err) {
        attempts.push((err as { code?: string }).code ?? String(err));
      } finally {
        rogue.close();
      }
      void fetch(`${stage.backendUrl}/api/notifications`, { method: 'POST', body: '{}' }).then(
        () => attempts.push('backend answered'),
        () => attempts.push('backend down'),
      );
    }
    // Disconnect mid-run: this watcher goes away during the copy.
    if (e.table) child.kill('SIGKILL');
  });
  t.not(first.code, 0, 'the first watcher was killed mid-run');
  t.true(
    first.events.some((e) => e.table),
    'it saw the copy start',
  );
  t.true(attempts.includes('SQLITE_BUSY'), `the rogue write was refused: ${attempts.join(', ')}`);

  // Re-attach: the whole story again, one JSON object per line, ending in success.
  const again = await vsctl(stage, 'watch', id, '--json');
  t.is(again.code, 0, again.stdout.slice(-3000) + again.stderr);
  const events = jsonLines(again.stdout);
  t.true(events.every((e, i) => i === 0 || Number(e.sequence) > Number(events[i - 1]!.sequence)));
  const finished = events.at(-1)!.finished!;
  t.is(finished.state, 'succeeded', JSON.stringify(finished.error));
  const steps = events.filter((e) => e.step?.state === 'finished').map((e) => e.step!.name);
  for (const s of [
    'preflight',
    'connector',
    'target',
    'freeze',
    'snapshot',
    'copy',
    'verify',
    'switch',
    'health',
    'seal',
  ])
    t.true(steps.includes(s), `step ${s}`);
  t.true(attempts.includes('backend down'), `the backend was stopped during the freeze: ${attempts.join(', ')}`);

  // The app now serves the same data from PostgreSQL, through the connector.
  const statsAfter = await backend<{ database: string; counts: Record<string, number> }>(stage, '/api/stats');
  t.is(statsAfter.body.database, 'postgresql');
  t.deepEqual(statsAfter.body.counts, statsBefore.body.counts);
  t.deepEqual((await backend<unknown[]>(stage, '/api/users')).body, usersBefore.body);

  // Env files: only DATABASE_URL and SHADOW_DATABASE_URL changed, each pointing at the connector.
  for (const before of envBefore) {
    const after = dotenv.parse(readFileSync(before.path));
    const changed = Object.keys({ ...before.vars, ...after })
      .filter((k) => before.vars[k] !== after[k])
      .sort();
    t.deepEqual(changed, ['DATABASE_URL', 'SHADOW_DATABASE_URL'], before.path);
    const url = parseDatabaseUrl(after['DATABASE_URL']!);
    t.is(`${url.host}:${url.port}`, String(stage.agentAppConfig['connectorListen']));
    t.is(parseDatabaseUrl(after['SHADOW_DATABASE_URL']!).database, 'visionsuit_shadow');
    t.is(statSync(before.path).mode & 0o777, before.mode, 'mode kept');
  }
  t.regex(
    readFileSync(stage.envFiles[2]!, 'utf8'),
    /^JWT_SECRET='s3cret with spaces'$/m,
    'other lines kept byte for byte',
  );

  // Prisma: schema.prisma names postgresql, the PostgreSQL baseline holds the migrations directory's place
  // (the SQLite history kept beside it), and _prisma_migrations records it as `prisma migrate deploy` would:
  // its name is the directory's, its checksum the sha256 of migration.sql's bytes, finished, not rolled back.
  const prismaDir = dirname(stage.sqlitePath);
  t.regex(readFileSync(join(prismaDir, 'schema.prisma'), 'utf8'), /datasource db \{\n {2}provider = "postgresql"\n/);
  t.true(existsSync(join(prismaDir, `migrations.sqlite-${id}`, '00000000000000_baseline', 'migration.sql')));
  t.regex(readFileSync(join(prismaDir, 'migrations', 'migration_lock.toml'), 'utf8'), /provider = "postgresql"/);
  const [row] = await stage.pg.query<{
    migration_name: string;
    checksum: string;
    finished: boolean;
    rolled_back: boolean;
  }>(
    'SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM "_prisma_migrations"',
    [],
    'visionsuit',
  );
  t.deepEqual(row, {
    migration_name: '0_init',
    checksum: sha(join(prismaDir, 'migrations', '0_init', 'migration.sql')),
    finished: true,
    rolled_back: false,
  });

  // SQLite: read-only, byte-identical to before.
  t.is(statSync(stage.sqlitePath).mode & 0o222, 0, 'sealed read-only');
  t.is(sha(stage.sqlitePath), shaBefore);

  // Prisma Client on PostgreSQL reads every row of every model, value by value, as Prisma Client
  // generated from the schema before the switch reads them from the sealed file.
  const [backup] = readdirSync(prismaDir).filter((n) => /^schema\.prisma\.vsmigrate-.*\.bak$/.test(n));
  const reader = await startPrismaReader(
    'migrate-medium-reader',
    readFileSync(join(prismaDir, backup!)),
    stage.sqlitePath,
    tracker,
  );
  const [onPostgres, onSqlite] = [await prismaRows(stage.backendUrl), await prismaRows(reader)];
  t.deepEqual(Object.keys(onPostgres), Object.keys(onSqlite));
  for (const model of Object.keys(onSqlite)) t.deepEqual(onPostgres[model], onSqlite[model], model);

  // Writes through Prisma on PostgreSQL: defaults (cuid(), enum, boolean, now()), @updatedAt, a cascade.
  const post = (path: string, body: unknown, method = 'POST') =>
    backend<Record<string, string | boolean>>(stage, path, { method, body: JSON.stringify(body) });
  const user = await post('/api/users', { email: 'after-the-switch@example.test', displayName: 'After' });
  t.is(user.status, 201, JSON.stringify(user.body));
  t.like(user.body, { database: 'postgresql', role: 'USER', isActive: true, passwordHash: '' });
  t.regex(String(user.body['id']), /^c[a-z0-9]{24}$/, 'cuid()');
  const note = await post('/api/notifications', { userId: user.body['id'], title: 'first' });
  t.is(note.status, 201, JSON.stringify(note.body));
  await new Promise((r) => setTimeout(r, 20));
  const touched = await post(`/api/notifications/${String(note.body['id'])}`, { title: 'second' }, 'PATCH');
  t.is(touched.body['title'], 'second');
  t.true(Date.parse(String(touched.body['updatedAt'])) > Date.parse(String(note.body['updatedAt'])), '@updatedAt');
  t.is((await post(`/api/users/${String(user.body['id'])}`, {}, 'DELETE')).status, 200);
  t.is((await backend(stage, `/api/rows/Notification/${String(note.body['id'])}`)).status, 404, 'cascaded');

  const report = await vsctl(stage, 'report', id);
  t.regex(report.stdout, /verif/i);
  const runs = await vsctl(stage, 'runs');
  t.regex(runs.stdout, new RegExp(`${id} +migrate +succeeded`));
});

test('a backend unhealthy on PostgreSQL: the run rolls back by itself and the app serves every row from SQLite', async (t) => {
  const stage = await startCutoverStage('migrate-unhealthy', tracker, {
    backendEnv: { STANDIN_FAIL_ON_POSTGRES: '1' },
    // The probe is meant to fail here: a shorter wait for it keeps the test short.
    agentApp: { healthTimeoutMs: 8_000 },
  });
  const statsBefore = await backend<{ counts: Record<string, number> }>(stage, '/api/stats');
  const envBefore = envSnapshot(stage);
  const prismaBefore = prismaFiles(stage);
  const shaBefore = sha(stage.sqlitePath);
  const r = await vsctl(stage, 'migrate');
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stdout, /health: FAILED/);
  t.regex(r.stdout, /roll back: done/);
  t.regex(r.stdout, /ROLLED BACK\n {2}VS_ERR_HEALTH_PROBE: .*STANDIN_FAIL_ON_POSTGRES/);
  const stats = await backend<{ database: string; counts: Record<string, number> }>(stage, '/api/stats');
  t.is(stats.body.database, 'sqlite');
  t.deepEqual(stats.body.counts, statsBefore.body.counts);
  for (const before of envBefore)
    t.is(readFileSync(before.path, 'utf8'), before.text, `${before.path} restored byte for byte`);
  t.deepEqual(prismaFiles(stage), prismaBefore, 'schema.prisma and the migrations directory restored byte for byte');
  t.not(statSync(stage.sqlitePath).mode & 0o200, 0, 'not sealed');
  t.is(sha(stage.sqlitePath), shaBefore);
  const id = /migrate (migrate-\S+) started/.exec(r.stdout)![1]!;
  const report = await vsctl(stage, 'report', id);
  t.regex(
    report.stdout,
    /## Outcome of migrate-\S+\n\nrolled back to SQLite \(the app answered healthy on it\) because VS_ERR_HEALTH_PROBE: .*STANDIN_FAIL_ON_POSTGRES/,
  );
});

test('a process still holding the SQLite file blocks the freeze, named with its PID; the app comes back on SQLite', async (t) => {
  const stage = await startCutoverStage('migrate-holder', tracker);
  // Something no unit owns keeps the file open, as a forgotten Prisma Studio would.
  const holder = spawn(process.execPath, [
    '-e',
    `const fs = require('fs'); fs.openSync(${JSON.stringify(stage.sqlitePath)}, 'r'); setInterval(() => {}, 1000);`,
  ]);
  t.teardown(() => holder.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 300));
  const r = await vsctl(stage, 'migrate');
  t.is(r.code, 1, r.stdout);
  t.regex(
    r.stdout,
    new RegExp(
      `VS_ERR_WRITER_ACTIVE: still open after the writers were stopped: node \\(pid ${holder.pid}, dev\\.db\\)`,
    ),
  );
  t.regex(r.stdout, /ROLLED BACK/);
  t.is((await backend<{ database: string }>(stage, '/api/stats')).body.database, 'sqlite');
});

test('a second migration while one runs is refused, naming it; vsctl cancel stops the first and the app returns to SQLite', async (t) => {
  const stage = await startCutoverStage('migrate-cancel', tracker, { fixture: 'medium' });
  const started = await vsctl(stage, 'migrate', '--detach', '--json');
  const id = (JSON.parse(started.stdout) as { id: string }).id;
  const second = await vsctl(stage, 'migrate');
  t.is(second.code, 1);
  t.regex(second.stderr, new RegExp(`VS_ERR_OPERATION_RUNNING: operation ${id} \\(migrate\\) is running`));
  t.regex(
    (await vsctl(stage, 'status')).stdout,
    new RegExp(`operation +migrate +${id}, at step \\S+.*vsctl watch ${id}`),
  );
  let cancelled = false;
  const watched = await watchLive<Event>(stage, id, (e) => {
    if (e.table && !cancelled) {
      cancelled = true;
      void vsctl(stage, 'cancel', id);
    }
  });
  const end = watched.events.at(-1)!.finished!;
  t.is(end.state, 'cancelled', JSON.stringify(end));
  t.is(watched.code, 1);
  t.is((await backend<{ database: string }>(stage, '/api/stats')).body.database, 'sqlite');
});

// Data safety, item 4: restoring rewrote every file with a backup of that stamp, and its first failing
// write aborted the roll back before any unit started; the app stayed down, temporary files with the new URL stayed.
test.serial(
  'a failed switch leaves the app down: backend/.env bind-mounted after preflight; the run rolls back, the app serves from SQLite',
  async (t) => {
    if (process.getuid?.() !== 0) return t.pass('needs root (it bind-mounts a file)');
    const stage = await startCutoverStage('switch-fails', tracker, { fixture: 'medium' });
    const before = (await backend<{ database: string; counts: Record<string, number> }>(stage, '/api/stats')).body;
    const envBytes = stage.envFiles.map((p) => readFileSync(p));
    const dotEnv = stage.envFiles.find((p) => p.endsWith('/.env'))!;
    const started = await vsctl(stage, 'migrate', '--detach', '--json');
    const id = (JSON.parse(started.stdout) as { id: string }).id;
    let mounted = false;
    try {
      const watched = await watchLive<Event>(stage, id, (e) => {
        // After preflight (which refuses a bind-mounted env file): the host changes under the run.
        if (e.table && !mounted) {
          mounted = true;
          execFileSync('mount', ['--bind', dotEnv, dotEnv]);
        }
      });
      const finished = watched.events.filter((e) => e.finished).at(-1)!.finished!;
      t.is(finished.state, 'rolled_back', JSON.stringify(finished));
      t.is(finished.error?.code, 'VS_ERR_ENVFILE_LINKED');
      t.notRegex(JSON.stringify(watched.events), /VS_ERR_INTERNAL/);
    } finally {
      if (mounted) execFileSync('umount', [dotEnv]);
    }
    const after = (await backend<{ database: string; counts: Record<string, number> }>(stage, '/api/stats')).body;
    t.deepEqual(after, before, 'the app serves every row from SQLite');
    t.true((await stage.services.state('vs-backend.service')).active);
    t.deepEqual(
      stage.envFiles.map((p) => readFileSync(p)),
      envBytes,
      'every env file byte-identical to before',
    );
    for (const dir of new Set(stage.envFiles.map((p) => dirname(p)))) {
      t.deepEqual(
        readdirSync(dir).filter((n) => n.includes('.vsmigrate-tmp-')),
        [],
        `no temporary file left in ${dir}`,
      );
    }
  },
);

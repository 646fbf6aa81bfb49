// `vsctl rollback` after a successful migration, with and without writes made
// on PostgreSQL since the switch, and `vsctl install` of a fresh deployment.
import test from 'ava';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, runProgram } from '../harness/agents.js';
import { trackWith } from '../harness/stage.js';
import { backend, prismaFiles, startCutoverStage } from '../harness/cutover.js';
import type { CutoverStage } from '../harness/cutover.js';

const tracker = trackWith(test);
const vsctl = (stage: CutoverStage, ...args: string[]) =>
  runProgram(BIN.vsctl, [...args, `--socket-path=${stage.agentApp.socketPath}`]);
const stats = async (stage: CutoverStage) =>
  (await backend<{ database: string; counts: Record<string, number> }>(stage, '/api/stats')).body;

test.serial(
  'vsctl rollback: straight after a migration; refused after writes on PostgreSQL unless --accept-loss',
  async (t) => {
    const stage = await startCutoverStage('rollback', tracker);
    const env = stage.envFiles.map((p) => readFileSync(p, 'utf8'));
    const prismaDir = dirname(stage.sqlitePath);
    const prismaBefore = prismaFiles(stage);
    const before = await stats(stage);

    const m1 = await vsctl(stage, 'migrate');
    t.is(m1.code, 0, m1.stdout + m1.stderr);
    t.is((await stats(stage)).database, 'postgresql');
    const r1 = await vsctl(stage, 'rollback');
    t.is(r1.code, 0, r1.stdout + r1.stderr);
    t.regex(
      r1.stdout,
      /writes since the switch: done .*\(none; every table's content equals the switch's \(30 tables compared\)\)/,
    );
    t.deepEqual(await stats(stage), before);
    t.deepEqual(
      stage.envFiles.map((p) => readFileSync(p, 'utf8')),
      env,
      'env files as before the migration',
    );
    t.deepEqual(
      prismaFiles(stage),
      prismaBefore,
      'schema.prisma and the migrations directory as before, byte for byte',
    );
    t.not(statSync(stage.sqlitePath).mode & 0o200, 0, 'SQLite writable again');

    // Again, over the first run's data: the target is backed up by agent-db and replaced.
    const refused = await vsctl(stage, 'migrate');
    t.is(refused.code, 1);
    t.regex(refused.stdout, /VS_ERR_TARGET_NOT_EMPTY/);
    t.regex(refused.stdout, /next: .*pass --replace-target to replace it/, "the hint names vsctl's flag");
    t.is((await stats(stage)).database, 'sqlite', 'refused before anything stopped');
    const m2 = await vsctl(stage, 'migrate', '--replace-target');
    t.is(m2.code, 0, m2.stdout + m2.stderr);
    const backupPath =
      /backed up the target on the PostgreSQL host: (\S+\.dump) \(\d+ bytes, sha256 [0-9a-f]{64}\)/.exec(
        m2.stdout,
      )?.[1];
    t.truthy(backupPath, m2.stdout);

    // A write on PostgreSQL after the switch: a rollback would lose it.
    const users = await backend<Array<{ id: string }>>(stage, '/api/users');
    const posted = await backend<{ database: string }>(stage, '/api/notifications', {
      method: 'POST',
      body: JSON.stringify({ userId: users.body[0]!.id, title: 'after the switch' }),
    });
    t.is(posted.status, 201);
    t.is(posted.body.database, 'postgresql');
    const r2 = await vsctl(stage, 'rollback');
    t.is(r2.code, 1);
    t.regex(r2.stdout, /VS_ERR_ROLLBACK_LOSS: .*Notification \(1 row written\)/);
    const still = await stats(stage);
    t.is(still.database, 'postgresql', 'refused: the app runs on PostgreSQL again');
    t.is(still.counts['Notification'], before.counts['Notification']! + 1);

    // An update of the app after the switch changed schema.prisma: the rollback would undo it, so it asks.
    const schemaPath = join(prismaDir, 'schema.prisma');
    writeFileSync(schemaPath, readFileSync(schemaPath, 'utf8') + '// added by an update of the app\n');
    const changed = await vsctl(stage, 'rollback', '--accept-loss');
    t.is(changed.code, 1);
    t.regex(changed.stdout, /VS_ERR_SCHEMA_CHANGED: .*schema\.prisma changed since the switch.*--force-prisma/);
    t.is((await stats(stage)).database, 'postgresql', 'refused before anything changed');
    const r3 = await vsctl(stage, 'rollback', '--accept-loss', '--force-prisma');
    t.is(r3.code, 0, r3.stdout + r3.stderr);
    t.regex(r3.stdout, /accepted loss: Notification \(1 row written\)/);
    t.deepEqual(prismaFiles(stage), prismaBefore, 'forced: back as before the migration');
    t.deepEqual(await stats(stage), before);

    // Data safety, item 10: the backup --replace-target took has an undo an operator can run on the
    // PostgreSQL host. The database holds the second run's data and the write since; the backup, the first run's.
    const notifications = async () =>
      Number(
        (await stage.pg.query<{ n: string }>('SELECT count(*)::text AS n FROM "Notification"', [], 'visionsuit'))[0]!.n,
      );
    t.is(await notifications(), before.counts['Notification']! + 1);
    const restored = await runProgram(BIN.agentDb, [
      'restore-backup',
      backupPath!,
      '--force',
      '--config',
      stage.agentDb.configPath,
    ]);
    t.is(restored.code, 0, restored.stdout + restored.stderr);
    t.regex(restored.stdout, /backed up what visionsuit holds now: \S+visionsuit-before-restore-\S+\.dump/);
    t.regex(restored.stdout, /restored \S+ into visionsuit as visionsuit/);
    t.is(await notifications(), before.counts['Notification']!, "the first run's data is back");
    const [owner] = await stage.pg.query<{ owner: string }>(
      `SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'Notification'`,
      [],
      'visionsuit',
    );
    t.is(owner!.owner, 'visionsuit', 'owned by the app role, as before');
    const noForce = await runProgram(BIN.agentDb, [
      'restore-backup',
      backupPath!,
      '--config',
      stage.agentDb.configPath,
    ]);
    t.is(noForce.code, 2);
  },
);

// Data safety, item 2: the guard read pg_stat_user_tables, which an immediate shutdown (a crash) or
// pg_stat_reset() zeroes, and rolled back without the rows written since the switch.
test.serial(
  "rollback's loss guard trusts statistics a crash resets: after a crash of PostgreSQL, or pg_stat_reset(), it compares content and refuses",
  async (t) => {
    const stage = await startCutoverStage('rollback-crash', tracker);
    const before = await stats(stage);
    const m = await vsctl(stage, 'migrate');
    t.is(m.code, 0, m.stdout + m.stderr);
    const users = await backend<Array<{ id: string }>>(stage, '/api/users');
    for (let i = 0; i < 3; i++) {
      const posted = await backend<{ database: string }>(stage, '/api/notifications', {
        method: 'POST',
        body: JSON.stringify({ userId: users.body[0]!.id, title: `after the switch ${i}` }),
      });
      t.is(posted.body.database, 'postgresql');
    }
    await stage.pg.stopImmediate();
    await stage.pg.start();
    const [counter] = await stage.pg.query<{ n: string }>(
      `SELECT n_tup_ins::text AS n FROM pg_stat_user_tables WHERE relname = 'Notification'`,
      [],
      'visionsuit',
    );
    t.is(counter?.n ?? '0', '0', 'the crash reset the counters, as on a real host');
    const r1 = await vsctl(stage, 'rollback');
    t.is(r1.code, 1, r1.stdout + r1.stderr);
    t.regex(r1.stdout, /VS_ERR_ROLLBACK_LOSS: .*Notification \(\d+ rows at the switch, \d+ now, content differs\)/);

    await stage.pg.query('SELECT pg_stat_reset()', [], 'visionsuit');
    const r2 = await vsctl(stage, 'rollback');
    t.is(r2.code, 1, r2.stdout + r2.stderr);
    t.regex(r2.stdout, /VS_ERR_ROLLBACK_LOSS: .*Notification/);
    const still = await stats(stage);
    t.is(still.database, 'postgresql', 'refused: the app runs on PostgreSQL again');
    t.is(still.counts['Notification'], before.counts['Notification']! + 3);

    const r3 = await vsctl(stage, 'rollback', '--accept-loss');
    t.is(r3.code, 0, r3.stdout + r3.stderr);
    t.deepEqual(await stats(stage), before);
  },
);

test.serial('vsctl install brings a fresh deployment up on PostgreSQL', async (t) => {
  const stage = await startCutoverStage('install', tracker, { fixture: null });
  const r = await vsctl(stage, 'install');
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /schema: done .*\(30 tables, 8 enums, baseline 0_init\)/);
  const s = await stats(stage);
  t.is(s.database, 'postgresql');
  t.true(Object.values(s.counts).every((n) => n === 0));
  const [baseline] = await stage.pg.query<{ migration_name: string; checksum: string }>(
    'SELECT migration_name, checksum FROM "_prisma_migrations"',
    [],
    'visionsuit',
  );
  t.is(baseline!.migration_name, '0_init');
  // The Prisma switch: the app's schema.prisma names postgresql, and its migrations directory holds the
  // baseline whose bytes have the recorded checksum (the SQLite history kept beside it).
  const prismaDir = dirname(stage.sqlitePath);
  t.regex(readFileSync(join(prismaDir, 'schema.prisma'), 'utf8'), /datasource db \{\n {2}provider = "postgresql"\n/);
  t.is(
    createHash('sha256')
      .update(readFileSync(join(prismaDir, 'migrations', '0_init', 'migration.sql')))
      .digest('hex'),
    baseline!.checksum,
  );
  t.true(readdirSync(prismaDir).some((n) => n.startsWith('migrations.sqlite-install-')));
  // The app writes through Prisma on the new database: the schema's defaults come from PostgreSQL and Prisma.
  const user = await backend<{ id: string; role: string; database: string }>(stage, '/api/users', {
    method: 'POST',
    body: JSON.stringify({ email: 'first@example.test', displayName: 'First' }),
  });
  t.is(user.status, 201, JSON.stringify(user.body));
  t.like(user.body, { role: 'USER', database: 'postgresql' });
  const note = await backend<{ id: string }>(stage, '/api/notifications', {
    method: 'POST',
    body: JSON.stringify({ userId: user.body.id, title: 'welcome' }),
  });
  t.is(note.status, 201);
  t.is((await stats(stage)).counts['Notification'], 1);
  const again = await vsctl(stage, 'install');
  t.is(again.code, 1);
  t.regex(again.stdout, /VS_ERR_TARGET_NOT_EMPTY/);
});

test.serial(
  'vsctl verify re-checks a finished migration against its snapshot, and names a value changed since',
  async (t) => {
    const stage = await startCutoverStage('verify-later', tracker);
    const m = await vsctl(stage, 'migrate');
    t.is(m.code, 0, m.stdout + m.stderr);
    const ok = await vsctl(stage, 'verify');
    t.is(ok.code, 0, ok.stdout + ok.stderr);
    t.regex(ok.stdout, /verify: done in [\d.]+ s \(every table equal, 4 catalog checks passed\)/);

    const [tag] = await stage.pg.query<{ id: string }>('SELECT id FROM "Tag" ORDER BY id LIMIT 1', [], 'visionsuit');
    await stage.pg.query(`UPDATE "Tag" SET label = label || ' (edited)' WHERE id = $1`, [tag!.id], 'visionsuit');
    const bad = await vsctl(stage, 'verify');
    t.is(bad.code, 1);
    t.regex(bad.stdout, /VS_ERR_VERIFY_DIFFERENT/);
    const id = /verify (verify-\S+) started/.exec(bad.stdout)![1]!;
    const report = await vsctl(stage, 'report', id);
    t.true(report.stdout.includes(tag!.id), 'the report names the changed row');
    t.regex(report.stdout, /label/);
  },
);

// After a migration, an update of the app (git pull, maintenance.sh update)
// brings back schema.prisma with provider "sqlite" and the SQLite migrations:
// the app's Prisma Client then refuses PostgreSQL and the app does not start.
// vsctl status and preflight name the mismatch and say what to run;
// `vsctl prisma-switch` switches the files again (idempotent) and the app
// serves; a rollback then restores the files the update brought.
import test from 'ava';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, runProgram } from '../harness/agents.js';
import { trackWith } from '../harness/stage.js';
import { backend, prismaFiles, startCutoverStage } from '../harness/cutover.js';
import type { CutoverStage } from '../harness/cutover.js';
import { pollUntil } from '../harness/proc.js';

const tracker = trackWith(test);
const vsctl = (stage: CutoverStage, ...args: string[]) =>
  runProgram(BIN.vsctl, [...args, `--socket-path=${stage.agentApp.socketPath}`]);

test('an update brings the SQLite Prisma files back: status and preflight name it; vsctl prisma-switch mends it; rollback restores the update', async (t) => {
  const stage = await startCutoverStage('prisma-update', tracker);
  const prismaDir = dirname(stage.sqlitePath);
  const migrated = await vsctl(stage, 'migrate');
  t.is(migrated.code, 0, migrated.stdout + migrated.stderr);
  const runId = /migrate (migrate-\S+) started/.exec(migrated.stdout)![1]!;

  // The update: the app's own schema.prisma (provider "sqlite"), its SQLite history with a new
  // migration, checked out over the migrations directory (git leaves the untracked 0_init there).
  const [backup] = readdirSync(prismaDir).filter((n) => /^schema\.prisma\.vsmigrate-.*\.bak$/.test(n));
  copyFileSync(join(prismaDir, backup!), join(prismaDir, 'schema.prisma'));
  cpSync(join(prismaDir, `migrations.sqlite-${runId}`), join(prismaDir, 'migrations'), { recursive: true });
  mkdirSync(join(prismaDir, 'migrations', '20261201000000_update'));
  writeFileSync(join(prismaDir, 'migrations', '20261201000000_update', 'migration.sql'), '-- the update\n');
  const updated = prismaFiles(stage);
  await stage.services.restart('vs-backend.service');
  await pollUntil(
    'the backend to fail on PostgreSQL',
    async () => !(await stage.services.state('vs-backend.service')).active,
  );
  t.regex(readFileSync(join(stage.dir, 'vs-backend.log'), 'utf8'), /not compatible with the provider `sqlite`/);

  const status = await vsctl(stage, 'status');
  t.is(status.code, 4, status.stdout + status.stderr);
  t.regex(status.stdout, /prisma files +mismatch +provider "sqlite", migrations "sqlite", DATABASE_URL on postgresql/);
  t.regex(
    status.stdout,
    /VS_ERR_PRISMA_MISMATCH: schema\.prisma names provider "sqlite" and migrations\/migration_lock\.toml names "sqlite", but DATABASE_URL points at PostgreSQL/,
  );
  t.regex(status.stdout, /next: .*run `vsctl prisma-switch`/);
  const preflight = await vsctl(stage, 'preflight');
  t.regex(preflight.stdout, /prisma files.*VS_ERR_PRISMA_MISMATCH|prisma files.*names provider "sqlite"/);

  const mended = await vsctl(stage, 'prisma-switch');
  t.is(mended.code, 0, mended.stdout + mended.stderr);
  t.regex(mended.stdout, new RegExp(`prisma switch: done .*names provider "postgresql"; ${runId}'s baseline`));
  t.regex(readFileSync(join(prismaDir, 'schema.prisma'), 'utf8'), /provider = "postgresql"/);
  t.deepEqual(readdirSync(join(prismaDir, 'migrations')).sort(), ['0_init', 'migration_lock.toml']);
  const stats = await backend<{ database: string }>(stage, '/api/stats');
  t.is(stats.body.database, 'postgresql');

  const again = await vsctl(stage, 'prisma-switch');
  t.is(again.code, 0, again.stdout + again.stderr);
  t.regex(again.stdout, /nothing to do/);
  const healthy = await vsctl(stage, 'status');
  t.is(healthy.code, 0, healthy.stdout);
  t.regex(
    healthy.stdout,
    /prisma files +ok +provider "postgresql", migrations "postgresql", DATABASE_URL on postgresql/,
  );

  // The rollback restores what the update brought, not the files from before the migration.
  const back = await vsctl(stage, 'rollback');
  t.is(back.code, 0, back.stdout + back.stderr);
  t.deepEqual(prismaFiles(stage), updated);
  t.is((await backend<{ database: string }>(stage, '/api/stats')).body.database, 'sqlite');
});

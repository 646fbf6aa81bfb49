// The online migration end to end: the Prisma stand-in serves the medium
// fixture while a writer unit commits 20 transactions a second to the SQLite
// file (tables with and without updatedAt, raw SQL, deletes); `vsctl migrate`
// pre-copies and catches up while both run, freezes, applies the last changes
// and switches. Then every write the writer committed is in PostgreSQL, the
// sealed file verifies equal to the database, and the writer never failed.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { BIN, runProgram } from '../harness/agents.js';
import { trackWith } from '../harness/stage.js';
import Database from 'better-sqlite3';
import { backend, startCutoverStage, watchLive } from '../harness/cutover.js';
import { readBundleFile } from '../../shared/bundle.js';
import type { CutoverStage } from '../harness/cutover.js';

const tracker = trackWith(test);

const vsctl = (stage: CutoverStage, ...args: string[]) =>
  runProgram(BIN.vsctl, [...args, `--socket-path=${stage.agentApp.socketPath}`]);

interface Commit {
  at: number;
  op: string;
  table?: string;
  key?: string;
  value?: string;
  ms: number;
  ok: boolean;
  error?: string;
}

const commits = (stage: CutoverStage) =>
  readFileSync(stage.writerLog, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Commit);

test('online: the app and a writer keep writing through the pre-copy and the catch-up; after the switch PostgreSQL holds every write', async (t) => {
  const stage = await startCutoverStage('online', tracker, { fixture: 'medium', writerRate: 20 });
  await stage.services.start('visionsuit-dev.service');
  await new Promise((r) => setTimeout(r, 1_000));
  const r = await vsctl(stage, 'migrate');
  t.is(r.code, 0, r.stdout + r.stderr);
  for (const step of ['pre-copy while the app serves', 'catch-up round 1', 'freeze', 'last changes', 'foreign writes'])
    t.true(r.stdout.includes(step), `${step} in:\n${r.stdout}`);
  t.regex(r.stdout, /downtime \d+\.\d s/);
  t.log(
    r.stdout
      .split('\n')
      .filter((l) => /(round \d+|last changes|freeze|pre-copy).*done|downtime/.test(l))
      .join('\n'),
  );

  // The writer: nothing failed, and it wrote through the pre-copy and the rounds.
  const log = commits(stage).filter((c) => c.op !== 'idle');
  const failed = log.filter((c) => !c.ok);
  t.deepEqual(failed, [], 'the writer never failed');
  t.true(log.length > 100, `${log.length} commits`);
  const longest = Math.max(...log.map((c) => c.ms));
  t.log(`writer: ${log.length} commits, 0 failed, longest ${longest.toFixed(0)} ms`);

  // Every write is in PostgreSQL, as the Prisma app reads it now.
  const lastOf = (table: string, op: string) => log.filter((c) => c.table === table && c.op === op).at(-1)!;
  const note = lastOf('Notification', 'update');
  const row = await backend<{ title: string }>(stage, `/api/rows/Notification/${note.key}`);
  t.is(row.body.title, note.value!, 'the last update of a row with updatedAt');
  const inserted = lastOf('ModerationLog', 'insert');
  t.is((await backend(stage, `/api/rows/ModerationLog/${inserted.key}`)).status, 200, 'the last insert, no updatedAt');
  const gone = lastOf('GalleryEntry', 'delete');
  t.is((await backend(stage, `/api/rows/GalleryEntry/${gone.key}`)).status, 404, 'the last delete');
  const raw = lastOf('User', 'update');
  const user = await backend<{ displayName: string }>(stage, `/api/rows/User/${raw.key}`);
  t.is(user.body.displayName, raw.value!, 'a raw SQL update that left updatedAt alone');
  t.is((await backend<{ database: string }>(stage, '/api/stats')).body.database, 'postgresql');

  // The sealed file and the database: equal in every value.
  const verify = await vsctl(stage, 'verify');
  t.is(verify.code, 0, verify.stdout + verify.stderr);
  const id = /migrate (migrate-\S+) started/.exec(r.stdout)![1]!;
  const report = (await vsctl(stage, 'report', id)).stdout;
  t.regex(report, /## Downtime \(online migration\)/);
  t.regex(report, /Downtime: \d+\.\d s/);
  t.regex(report, /\| freeze \| /);
});

/** Start an online migration that pauses before its freeze; resolves once it waits for the go-ahead. */
async function pausedMigration(stage: CutoverStage): Promise<{ id: string; done: Promise<{ events: Event[] }> }> {
  const started = await vsctl(stage, 'migrate', '--pause-before-freeze', '--detach', '--json');
  if (started.code !== 0) throw new Error(started.stderr);
  const id = (JSON.parse(started.stdout) as { id: string }).id;
  let paused!: () => void;
  const waiting = new Promise<void>((r) => (paused = r));
  const done = watchLive<Event>(stage, id, (e) => {
    if (/^paused before the freeze/.test(e.log?.message ?? '')) paused();
  });
  await Promise.race([waiting, done.then(() => Promise.reject(new Error('the run ended before it paused')))]);
  return { id, done };
}

interface Event {
  step?: { name: string; state: string };
  log?: { message: string };
  finished?: { state: string; error?: { code: string; message: string } };
}

test('online: a schema change of the SQLite file between the pre-copy and the freeze stops the run before the freeze', async (t) => {
  const stage = await startCutoverStage('online-schema', tracker);
  const env = stage.envFiles.map((p) => readFileSync(p, 'utf8'));
  const { id, done } = await pausedMigration(stage);
  // An update of the app adds a column while it runs.
  const app = new Database(stage.sqlitePath, { timeout: 5_000 });
  app.exec('ALTER TABLE "Tag" ADD COLUMN "color" TEXT');
  app.close();
  t.is((await vsctl(stage, 'proceed', id)).code, 0);
  const { events } = await done;
  const finished = events.at(-1)!.finished!;
  t.is(finished.state, 'failed', JSON.stringify(finished));
  t.is(finished.error?.code, 'VS_ERR_SOURCE_SCHEMA_CHANGED');
  t.regex(finished.error!.message, /schema_version \d+ → \d+/);
  t.false(
    events.some((e) => e.step?.name === 'freeze'),
    'no freeze',
  );
  t.is((await backend<{ database: string }>(stage, '/api/stats')).body.database, 'sqlite', 'the app never stopped');
  t.deepEqual(
    stage.envFiles.map((p) => readFileSync(p, 'utf8')),
    env,
  );
});

test('online: a write to the target by someone else is caught before the switch; the run rolls back', async (t) => {
  const stage = await startCutoverStage('online-foreign', tracker);
  const { id, done } = await pausedMigration(stage);
  const { postgres } = await readBundleFile(stage.bundlePath);
  await stage.pg.query(`UPDATE "Tag" SET label = label || ' (edited on the target)'`, [], postgres.database);
  t.is((await vsctl(stage, 'proceed', id)).code, 0);
  const { events } = await done;
  const finished = events.at(-1)!.finished!;
  t.is(finished.state, 'rolled_back', JSON.stringify(finished));
  t.is(finished.error?.code, 'VS_ERR_TARGET_FOREIGN_WRITE');
  t.regex(finished.error!.message, /Tag: \d+ row\(s\) written by another transaction/);
  t.false(
    events.some((e) => e.step?.name === 'switch'),
    'no switch',
  );
  t.is((await backend<{ database: string }>(stage, '/api/stats')).body.database, 'sqlite');
});

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
import { backend, startCutoverStage } from '../harness/cutover.js';
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
  t.regex(report, /## Online migration/);
  t.regex(report, /Downtime: \d+\.\d s/);
  t.regex(report, /\| freeze \| /);
});

// Kill the copy with SIGKILL at several points — after the first chunks, midway,
// during the index build — and resume each time: the result equals a clean run's.
import test from 'ava';
import { join } from 'node:path';
import { generateFixture, FIXTURE_SCHEMA } from '../fixtures/generate.js';
import { BIN, cleanEnv } from '../harness/agents.js';
import { localArgs, migrateLocal, tableDigests, urlFile } from '../harness/engine.js';
import { ManagedProcess, pollUntil } from '../harness/proc.js';
import { tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';
import { readSchemaFile } from '../../agent-app/engine/prisma-schema.js';

const tracker = trackWith(test);

test('SIGKILL mid-copy twice and during the index build, then resume: equal to a clean run', async (t) => {
  const dir = tempDir('resume');
  const pg = await startCluster('resume', tracker);
  await pg.query('CREATE DATABASE clean');
  await pg.query('CREATE DATABASE resumed');
  const fx = await generateFixture('medium', join(dir, 'medium.db'));
  const schema = await readSchemaFile(FIXTURE_SCHEMA);

  const clean = await migrateLocal([
    ...localArgs(fx.path, FIXTURE_SCHEMA, urlFile(dir, pg, 'clean'), join(dir, 'w-clean')),
  ]);
  t.is(clean.code, 0, clean.stderr);

  const args = [
    'migrate-local',
    ...localArgs(fx.path, FIXTURE_SCHEMA, urlFile(dir, pg, 'resumed'), join(dir, 'w-resumed')),
    '--chunk-mb',
    '1',
    '--jobs',
    '1',
    '--json',
  ];
  const copied = async () => {
    const rows = await pg
      .query<{ n: string | null }>(`SELECT sum(rows)::text AS n FROM _vsmigrate.range`, [], 'resumed')
      .catch(() => [{ n: null }]);
    return Number(rows[0]?.n ?? 0);
  };
  const killWhen = async (label: string, ready: (p: ManagedProcess) => Promise<boolean>) => {
    const p = tracker.addProcess(
      new ManagedProcess(`migrate-local (${label})`, process.execPath, [BIN.agentApp, ...args], {
        logPath: join(dir, `run-${label}.log`),
        env: cleanEnv(),
      }),
    );
    await pollUntil(
      label,
      async () => {
        if (!p.running) throw new Error(`finished before the kill (${label}):\n${p.output()}`);
        return ready(p);
      },
      60_000,
      10,
    );
    p.signal('SIGKILL');
    const exit = await p.waitForExit();
    t.is(exit.signal, 'SIGKILL', `killed ${label}`);
    return copied();
  };
  const first = await killWhen('after the first chunks', async () => (await copied()) > 0);
  const second = await killWhen('midway', async () => (await copied()) > first + 20_000);
  t.true(second > first, `the second run went on from ${first} rows to ${second}`);
  await killWhen('during the index build', async (p) => p.output().includes('• keys and indexes ...'));

  const last = await migrateLocal(args.slice(1));
  t.is(last.code, 0, last.stderr);
  const summary = JSON.parse(last.stdout);
  t.true(summary.resumed);
  t.regex(last.stderr, /schema: skipped \(resuming an interrupted run\)/);
  t.regex(last.stderr, /snapshot: skipped/);

  const tables = schema.tables.map((x) => ({ name: x.name, pk: x.primaryKey.columns }));
  const a = await tableDigests(pg, 'clean', tables);
  const b = await tableDigests(pg, 'resumed', tables);
  t.deepEqual(b, a);
  t.is(
    Object.values(a).reduce((n, v) => n + Number(v.split(':')[0]), 0),
    fx.rows,
    'every row of the file is there',
  );
  const constraints = (db: string) =>
    pg.query(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
      [],
      db,
    );
  t.deepEqual(await constraints('resumed'), await constraints('clean'));
});

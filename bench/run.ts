// npm run bench: the migration of the `large` fixture (~2.1M rows, ~650 MB),
// measured three ways on the same data and the same PostgreSQL, every byte
// through the same SSH link (a real sshd on loopback, ssh2 in this process):
//
//   (a) vsmigrate: schema → copy → keys, indexes, foreign keys → VACUUM ANALYZE,
//       then its verification, reported apart and as a ratio to the copy
//   (b) the serial psql path: bare tables, `\copy` of pre-converted files one
//       table after another, then keys, indexes, foreign keys, VACUUM ANALYZE
//   (c) pgloader (Debian's package) with the casts it needs to load every row
//
// Then the external connector (bench/connector.ts): pgbench -S and a ~600 MB
// COPY each way, through it and straight to PostgreSQL. VSMIGRATE_BENCH_ONLY=
// migration or connector runs one part.
//
// Prints the median of VSMIGRATE_BENCH_RUNS runs (default 3), rows/s, MB/s, the
// peak RSS of our process, the ratios a/b and c/a, and for each run of (a) the
// CPU seconds of each step by process (bench/cpu.ts). The fixture and the
// pre-converted files are cached in VSMIGRATE_BENCH_CACHE (default
// /var/tmp/vsmigrate-bench), outside the repository.
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { generateFixture, FIXTURE_SCHEMA } from '../test/fixtures/generate.js';
import { PgCluster } from '../test/harness/postgres.js';
import { Sshd, openLink } from '../test/harness/sshd.js';
import { tempDir } from '../test/harness/system.js';
import { readSchemaSource } from '../agent-app/engine/prisma-schema.js';
import type { Schema } from '../agent-app/engine/prisma-schema.js';
import { migrate } from '../agent-app/engine/migrate.js';
import { converterFor } from '../agent-app/engine/convert.js';
import { addForeignKey, addPrimaryKey, createEnum, createIndex, createTable, q } from '../agent-app/engine/pg-ddl.js';
import { openSnapshot } from '../agent-app/engine/snapshot.js';
import { targetFromUrl } from '../agent-app/engine/target.js';
import { benchConnector } from './connector.js';
import { benchDowntime } from './downtime.js';
import { CpuSampler, formatCpu } from './cpu.js';
import type { CpuByStep } from './cpu.js';
import { run } from './spawn.js';

const CACHE = process.env['VSMIGRATE_BENCH_CACHE'] ?? '/var/tmp/vsmigrate-bench';
const RUNS = Number(process.env['VSMIGRATE_BENCH_RUNS'] ?? 3);
const FIXTURE = join(CACHE, 'large-v1.db');
const EXPORTS = join(CACHE, 'copy-v1');

const say = (s: string) => process.stderr.write(s + '\n');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function ensureFixture(): Promise<number> {
  mkdirSync(CACHE, { recursive: true });
  if (!existsSync(FIXTURE)) {
    say(`generating the large fixture into ${FIXTURE} (once; about a minute) ...`);
    await generateFixture('large', FIXTURE);
  }
  return statSync(FIXTURE).size;
}

/** The serial path's input: every table converted once by our converters (not timed). */
async function ensureExports(schema: Schema): Promise<void> {
  if (existsSync(join(EXPORTS, 'done'))) return;
  say(`converting the fixture to COPY files in ${EXPORTS} (once) ...`);
  mkdirSync(EXPORTS, { recursive: true });
  const db = openSnapshot(FIXTURE);
  const enums = new Map(schema.enums.map((e) => [e.name, new Set(e.values)]));
  for (const t of schema.tables) {
    const convs = t.columns.map((c) => converterFor(c, c.enumName ? enums.get(c.enumName) : undefined));
    const out = createWriteStream(join(EXPORTS, `${t.name}.copy`));
    let parts: string[] = [];
    for (const row of db
      .prepare(`SELECT ${t.columns.map((c) => q(c.name)).join(', ')} FROM ${q(t.name)}`)
      .raw(true)
      .iterate() as Iterable<unknown[]>) {
      row.forEach((v, i) => parts.push(convs[i]!(v as never) as string, i === row.length - 1 ? '\n' : '\t'));
      if (parts.length > 200_000) {
        if (!out.write(parts.join(''))) await once(out, 'drain');
        parts = [];
      }
    }
    out.end(parts.join(''));
    await once(out, 'finish');
  }
  db.close();
  writeFileSync(join(EXPORTS, 'done'), '');
}

function psqlScript(schema: Schema, file: string): void {
  const lines = [
    '\\set ON_ERROR_STOP on',
    'BEGIN;',
    ...schema.enums.map(createEnum),
    ...schema.tables.map((t) => createTable(t, new Map(), false)),
    'COMMIT;',
  ];
  for (const t of schema.tables) lines.push(`\\copy ${q(t.name)} FROM '${join(EXPORTS, `${t.name}.copy`)}'`);
  for (const t of schema.tables) lines.push(addPrimaryKey(t));
  for (const t of schema.tables) for (const i of t.indexes) lines.push(createIndex(t, i));
  for (const t of schema.tables) for (const fk of t.foreignKeys) lines.push(addForeignKey(t, fk));
  lines.push('VACUUM ANALYZE;');
  writeFileSync(file, lines.join('\n') + '\n');
}

async function benchMigration(): Promise<Record<string, unknown>> {
  const fileBytes = await ensureFixture();
  const { text: schemaText, schema } = await readSchemaSource(FIXTURE_SCHEMA);
  await ensureExports(schema);
  const havePgloader = existsSync('/usr/bin/pgloader');
  const dir = tempDir('bench');
  const pg = await PgCluster.create('bench');
  const sshd = await Sshd.create('bench', [pg.port]);
  const link = await openLink(sshd, pg.port, join(dir, 'link.log'));
  const port = link.localPort('postgres');
  const url = (db: string) => pg.url(db, port);
  const pgEnv = {
    ...process.env,
    PGPASSWORD: pg.password,
    PGHOST: '127.0.0.1',
    PGPORT: String(port),
    PGUSER: pg.superuser,
  };
  const rows = Number(
    execFileSync('sqlite3', [FIXTURE, schema.tables.map((t) => `SELECT count(*) FROM ${q(t.name)};`).join('')], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .reduce((a, n) => a + Number(n), 0),
  );
  say(
    `fixture: ${rows} rows, ${(fileBytes / 1048576).toFixed(0)} MB; PostgreSQL ${pg.port} reached through sshd ${sshd.port} (local forward ${port}); ${RUNS} run(s) each`,
  );

  const a: number[] = [];
  const aTotal: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  const aSteps: Array<Record<string, number>> = [];
  const aCpu: CpuByStep[] = [];
  const verifySeconds: number[] = [];
  const copySeconds: number[] = [];
  let peakRss = 0;
  // Peak RSS by step, to see which part of a run sets the peak.
  const stepRss = new Map<string, number>();
  let currentStep = '';
  const script = join(dir, 'serial.sql');
  psqlScript(schema, script);
  const loadFile = join(dir, 'pgloader.load');
  const pgloaderFailures: string[] = [];
  let findingsShown = false;

  for (let i = 1; i <= RUNS; i++) {
    await pg.query(`CREATE DATABASE a${i}`);
    const sampler = setInterval(() => {
      const rss = process.memoryUsage().rss;
      peakRss = Math.max(peakRss, rss);
      stepRss.set(currentStep, Math.max(stepRss.get(currentStep) ?? 0, rss));
    }, 50);
    const cpu = new CpuSampler();
    const summary = await migrate({
      sqlitePath: FIXTURE,
      schema,
      schemaText,
      target: targetFromUrl(url(`a${i}`)),
      workDir: join(dir, `work-a${i}`),
      policies: [],
      onEvent: (e) => {
        if (e.type === 'step' && e.state === 'started') {
          currentStep = e.name;
          cpu.mark(e.name);
        }
      },
      replace: false,
    });
    clearInterval(sampler);
    aCpu.push(cpu.stop());
    if (!summary.ok) throw new Error('run (a) did not complete');
    if (!summary.verification?.ok) throw new Error('run (a) did not verify equal');
    const load = Object.entries(summary.steps)
      .filter(([k]) => !['snapshot', 'lint', 'verify'].includes(k))
      .reduce((s, [, v]) => s + v, 0);
    a.push(load);
    verifySeconds.push(summary.steps['verify']!);
    copySeconds.push(summary.steps['copy']!);
    aTotal.push(summary.seconds - summary.steps['verify']!);
    aSteps.push(summary.steps);
    say(
      `(a) run ${i}: ${load.toFixed(1)} s schema→analyze, ${summary.seconds.toFixed(1)} s with snapshot and lint (${Object.entries(
        summary.steps,
      )
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')})`,
    );
    say(`    CPU seconds by step (this process: engine, workers, SSH link): ${formatCpu(aCpu.at(-1)!)}`);
    await pg.query(`DROP DATABASE a${i}`);

    await pg.query(`CREATE DATABASE b${i}`);
    const t0 = Date.now();
    const rb = await run('psql', ['-X', '-q', '-d', `b${i}`, '-f', script], pgEnv);
    if (rb.code !== 0) throw new Error(`run (b) failed: ${rb.out}`);
    b.push((Date.now() - t0) / 1000);
    say(`(b) run ${i}: ${b.at(-1)!.toFixed(1)} s`);
    await pg.query(`DROP DATABASE b${i}`);

    if (havePgloader) {
      await pg.query(`CREATE DATABASE c${i}`);
      // Without a cast pgloader reads Prisma's milliseconds as years and refuses
      // most rows; this cast loads every row but reads milliseconds as seconds
      // (dates land near year 54000). No cast of pgloader's gets them right.
      writeFileSync(
        loadFile,
        `LOAD DATABASE FROM sqlite://${FIXTURE} INTO ${url(`c${i}`)}
WITH include drop, create tables, create indexes, reset sequences, workers = 4, concurrency = 2
CAST type datetime to timestamptz drop default drop not null using unix-timestamp-to-timestamptz
EXCLUDING TABLE NAMES LIKE '_prisma_migrations';\n`,
        { mode: 0o600 },
      );
      const t1 = Date.now();
      const rc = await run('pgloader', ['--on-error-stop', loadFile], process.env);
      if (rc.code !== 0) {
        // Seen here: SBCL "GC invariant lost" crashes under load. Recorded, not fatal.
        const why = /fatal error[^\n]*\n[^\n]*/.exec(rc.out)?.[0] ?? rc.out.trim().split('\n').pop();
        pgloaderFailures.push(`run ${i}: ${why}`);
        say(`(c) run ${i}: pgloader failed (${why})`);
      } else {
        c.push((Date.now() - t1) / 1000);
        say(`(c) run ${i}: ${c.at(-1)!.toFixed(1)} s`);
        if (!findingsShown) findingsShown = await pgloaderFindings(pg, `c${i}`, schema);
      }
      await pg.query(`DROP DATABASE c${i}`);
    }
  }
  rmSync(loadFile, { force: true });

  const ma = median(a);
  const mb = median(b);
  const result = {
    date: new Date().toISOString(),
    rows,
    sqliteMB: fileBytes / 1048576,
    runs: RUNS,
    a: {
      medianSeconds: ma,
      withSnapshotAndLint: median(aTotal),
      rowsPerSecond: rows / ma,
      mbPerSecond: fileBytes / 1048576 / ma,
      peakRssMB: peakRss / 1048576,
      peakRssMBByStep: Object.fromEntries([...stepRss].map(([k, v]) => [k, Math.round(v / 1048576)])),
      steps: aSteps,
      cpuSecondsByStep: aCpu,
    },
    b: { medianSeconds: mb, rowsPerSecond: rows / mb },
    c: c.length
      ? { medianSeconds: median(c), runs: c.length, rowsPerSecond: rows / median(c), failures: pgloaderFailures }
      : null,
    verify: { medianSeconds: median(verifySeconds), overCopy: median(verifySeconds) / median(copySeconds) },
    ratios: { aOverB: ma / mb, cOverA: c.length ? median(c) / ma : null },
  };
  const line = (name: string, secs: number) =>
    `${name.padEnd(44)} ${secs.toFixed(1).padStart(7)} s ${String(Math.round(rows / secs)).padStart(9)} rows/s ${(fileBytes / 1048576 / secs).toFixed(1).padStart(7)} MB/s`;
  console.log('');
  console.log(
    `migration of ${rows} rows (${result.sqliteMB.toFixed(0)} MB SQLite) through an SSH link, median of ${RUNS}`,
  );
  console.log(line('(a) vsmigrate, schema → VACUUM ANALYZE', ma));
  console.log(line('    the same with snapshot and lint', result.a.withSnapshotAndLint));
  console.log(line('(b) psql \\copy, serial, keys after', mb));
  if (result.c) console.log(line(`(c) pgloader (${c.length} completed run(s))`, result.c.medianSeconds));
  for (const f of pgloaderFailures) console.log(`    pgloader failed in ${f}`);
  console.log(line('verification of (a), every value on both sides', result.verify.medianSeconds));
  console.log(`verify/copy = ${result.verify.overCopy.toFixed(2)} (target ≤ 0.3)`);
  console.log(
    `peak RSS of vsmigrate (engine, workers, SSH link): ${result.a.peakRssMB.toFixed(0)} MB (by step: ${Object.entries(
      result.a.peakRssMBByStep,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  );
  console.log(
    `a/b = ${result.ratios.aOverB.toFixed(2)} (target ≤ 1.0)${result.ratios.cOverA ? `   c/a = ${result.ratios.cOverA.toFixed(2)} (target ≥ 2.5)` : '   (c) skipped: pgloader is not installed'}`,
  );
  await link.stop();
  await sshd.stop();
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(pg.dir, { recursive: true, force: true });
  rmSync(sshd.dir, { recursive: true, force: true });
  return result;
}

async function main(): Promise<void> {
  const only = process.env['VSMIGRATE_BENCH_ONLY'] ?? '';
  if (!['', 'migration', 'downtime', 'connector'].includes(only))
    throw new Error(`VSMIGRATE_BENCH_ONLY is "${only}": expected migration, downtime or connector`);
  mkdirSync(CACHE, { recursive: true });
  const results: Record<string, unknown> = { date: new Date().toISOString() };
  if (only === '' || only === 'migration') results['migration'] = await benchMigration();
  if (only === '' || only === 'downtime') results['downtime'] = await downtimeCases();
  if (only === '' || only === 'connector') {
    const c = await benchConnector();
    results['connector'] = c;
    const r = c.ratios;
    console.log('');
    console.log(
      `external connector (its own process, through sshd) against OpenSSH's ssh -L to the same sshd, ${c.rounds.length} rounds side by side; ${c.algorithms}`,
    );
    for (const [i, round] of c.rounds.entries())
      console.log(
        `  round ${i + 1}: tps ${round.connector.tps8.toFixed(0)} / ${round.opensshForward.tps8.toFixed(0)}, latency ${round.connector.latency1Ms.toFixed(3)} / ${round.opensshForward.latency1Ms.toFixed(3)} ms, ` +
          `COPY ${c.copyMB.toFixed(0)} MB in ${round.connector.copyInS.toFixed(1)} / ${round.opensshForward.copyInS.toFixed(1)} s, out ${round.connector.copyOutS.toFixed(1)} / ${round.opensshForward.copyOutS.toFixed(1)} s (connector / ssh -L)`,
      );
    console.log(`  direct to PostgreSQL, 8 clients: ${c.tpsDirect.toFixed(0)} tps`);
    console.log(
      `connector/ssh-L tps ${r.tps.toFixed(2)} latency ${r.latency.toFixed(2)} copy-in ${r.copyIn.toFixed(2)} copy-out ${r.copyOut.toFixed(2)}`,
    );
    console.log('  (medians; targets: tps ≥ 0.9, latency ≤ 1.1, copy-in ≥ 0.9, copy-out ≥ 0.9)');
  }
  writeFileSync(join(CACHE, 'results-latest.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`results: ${join(CACHE, 'results-latest.json')}`);
}

/** The online migration's downtime against the offline one's, on medium and large (bench/downtime.ts). */
async function downtimeCases(): Promise<Record<string, unknown>> {
  await ensureFixture();
  const medium = join(CACHE, 'medium-v1.db');
  if (!existsSync(medium)) await generateFixture('medium', medium);
  const cases = [];
  for (const [name, path] of [
    ['medium', medium],
    ['large', FIXTURE],
  ] as const)
    cases.push(await benchDowntime(name, path, RUNS));
  writeFileSync(join(CACHE, 'downtime-latest.json'), JSON.stringify(cases, null, 2) + '\n');
  console.log('');
  console.log(
    `downtime: vsctl migrate on a whole stage, a writer at 20 tx/s until the freeze; medians of ${RUNS}, offline and online alternating`,
  );
  for (const c of cases) console.log(c.line);
  const [m, l] = [cases[0]!, cases[1]!];
  console.log(
    `  targets: online downtime large ${l.online.downtimeS.toFixed(1)} s (≤ 10); data work large/medium ${(l.online.dataWorkS / m.online.dataWorkS).toFixed(2)} (≤ 1.5); ` +
      `pre-copy/offline engine large ${(l.online.precopyS / l.offline.engineS).toFixed(2)} (≤ 3); writer errors ${m.online.writerErrors + l.online.writerErrors} (0); ` +
      `writer p99/baseline ${(m.online.writerP99Ms / m.baselineP99Ms).toFixed(2)} medium, ${(l.online.writerP99Ms / l.baselineP99Ms).toFixed(2)} large (≤ 2)`,
  );
  return { cases };
}

/** What pgloader's result gets wrong, read from the catalog and the data. */
async function pgloaderFindings(pg: PgCluster, db: string, schema: Schema): Promise<boolean> {
  const tables = await pg.query<{ n: string }>(
    `SELECT table_name AS n FROM information_schema.tables WHERE table_schema = 'public'`,
    [],
    db,
  );
  const lower = tables.filter(
    (t) => t.n === t.n.toLowerCase() && schema.tables.some((s) => s.name.toLowerCase() === t.n && s.name !== t.n),
  ).length;
  const real = await pg.query(
    `SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'real'`,
    [],
    db,
  );
  const notNull = await pg.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM information_schema.columns WHERE table_schema = 'public' AND is_nullable = 'NO'`,
    [],
    db,
  );
  const expectedNotNull = schema.tables.reduce((n, t) => n + t.columns.filter((c) => c.required).length, 0);
  const year = await pg
    .query<{ y: string }>(`SELECT extract(year FROM max("createdat"))::text AS y FROM notification`, [], db)
    .catch(() => [{ y: '?' }]);
  const enums = await pg.query(`SELECT 1 FROM pg_type WHERE typtype = 'e'`, [], db);
  console.log(
    `pgloader's result: ${lower} of ${schema.tables.length} table names lower-cased; ${real.length} Float column(s) as real; ` +
      `${notNull[0]!.n} NOT NULL columns of ${expectedNotNull}; newest Notification.createdAt in year ${year[0]!.y}; ${enums.length} enum types (Prisma makes ${schema.enums.length})`,
  );
  return true;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

// `vsctl rehearse` on one host: the real migration path into a scratch
// database while the stand-in app keeps serving and writing; and the
// adversarial fixture, whose rehearsal lists every finding and projects a
// failing migration.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { BIN, runProgram } from '../harness/agents.js';
import { trackWith } from '../harness/stage.js';
import { backend, startCutoverStage } from '../harness/cutover.js';
import type { CutoverStage } from '../harness/cutover.js';
import { openSnapshot } from '../../agent-app/engine/snapshot.js';
import { lintSnapshot } from '../../agent-app/engine/lint.js';
import { readSchemaFile } from '../../agent-app/engine/prisma-schema.js';
import { FIXTURE_SCHEMA } from '../fixtures/generate.js';
import { ADVERSARIAL_POLICIES } from '../fixtures/policies.js';
import type { RehearsalReport } from '../../agent-app/ops/rehearse.js';

const tracker = trackWith(test);
const vsctl = (stage: CutoverStage, ...args: string[]) =>
  runProgram(BIN.vsctl, [...args, `--socket-path=${stage.agentApp.socketPath}`]);

async function report(stage: CutoverStage, stdout: string): Promise<RehearsalReport> {
  const id = /rehearse (rehearse-\S+) started/.exec(stdout)![1]!;
  return JSON.parse((await vsctl(stage, 'report', id, '--json')).stdout) as RehearsalReport;
}

const scratchDatabases = async (stage: CutoverStage) =>
  stage.pg.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'vsrehearsal%'");

test('rehearsing the medium fixture while the app keeps serving and writing: verified, projected, nothing touched', async (t) => {
  const stage = await startCutoverStage('rehearse-medium', tracker, { fixture: 'medium' });
  const env = stage.envFiles.map((p) => readFileSync(p, 'utf8'));
  const pidBefore = (await stage.services.state('vs-backend.service')).mainPid;
  const users = (await backend<Array<{ id: string }>>(stage, '/api/users')).body;

  // The live app: health checked every 100 ms, a write every 150 ms, for the whole rehearsal.
  let running = true;
  const health = { ok: 0, bad: [] as string[] };
  let writes = 0;
  // The agent's threads, sampled from /proc: the rehearsal's workers run at nice 10, the agent's own thread stays at 0.
  const agentPid = stage.agentApp.proc.pid;
  const niceOf = (tid: string) =>
    Number(readFileSync(`/proc/${agentPid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
  const workerNice = new Set<number>();
  const mainNice = new Set<number>();
  const workerIo = new Set<string>();
  const load = (async () => {
    let n = 0;
    while (running) {
      for (const tid of readdirSync(`/proc/${agentPid}/task`)) {
        try {
          const nice = niceOf(tid);
          (tid === String(agentPid) ? mainNice : workerNice).add(nice);
          if (nice === 10)
            workerIo.add(
              execFileSync('ionice', ['-p', tid], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim(),
            );
        } catch {
          // the thread ended
        }
      }
      const h = await fetch(`${stage.backendUrl}/api/meta/status/backend`).then(
        (r) => (r.ok ? 'ok' : `HTTP ${r.status}`),
        (e: Error) => e.message,
      );
      if (h === 'ok') health.ok++;
      else health.bad.push(h);
      if (n++ % 3 === 0) {
        const w = await backend<{ database: string }>(stage, '/api/notifications', {
          method: 'POST',
          body: JSON.stringify({ userId: users[n % users.length]!.id, title: `live write ${n}` }),
        });
        if (w.status === 201) writes++;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const r = await vsctl(stage, 'rehearse', '--max-rate', '40');
  running = false;
  await load;

  t.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  t.deepEqual(health.bad, [], 'the app stayed healthy throughout');
  t.true(workerNice.has(10), `worker threads at nice 10 (seen: ${[...workerNice].join(', ')})`);
  t.deepEqual([...mainNice], [0], "the agent's own thread kept its priority");
  t.true(
    workerIo.has('best-effort: prio 7'),
    `worker threads at I/O priority best-effort 7 (seen: ${[...workerIo].join(', ')})`,
  );
  t.true(
    health.ok > 10 && writes > 3,
    `the app kept serving (${health.ok} health answers) and writing (${writes} writes)`,
  );
  const rep = await report(stage, r.stdout);
  t.is(rep.verdict, 'would succeed', rep.reasons.join('; '));
  t.deepEqual(rep.verification, { ok: true, tablesDiffering: [] });
  t.is(rep.findings.length, 0);
  t.true(rep.projectedOfflineDowntime!.seconds > rep.projectedOfflineDowntime!.measured['copy']!);
  t.regex(rep.projectedOfflineDowntime!.how, /measured in this rehearsal/);
  // Online: the freeze's round, measured on the writes the app made during the rehearsal.
  const online = rep.projectedDowntime!;
  t.true(online.measured['last changes']! > 0 && online.measured['foreign writes']! > 0, JSON.stringify(online));
  t.true(online.seconds < rep.projectedOfflineDowntime!.seconds, 'online is projected shorter than offline');
  t.regex(online.how, /freeze of an online run, measured/);
  t.true(rep.load.cpuSeconds > 0 && rep.load.maxBytesPerSecond === 40 * 1024 * 1024);
  t.is(rep.tables.length, 30);
  t.regex(r.stdout, /verdict: would succeed; projected downtime [\d.]+ s \(with --offline [\d.]+ s\)/);

  // Nothing else was touched: the unit kept its process, the env files their bytes, and the scratch database is gone.
  t.is((await stage.services.state('vs-backend.service')).mainPid, pidBefore);
  t.deepEqual(
    stage.envFiles.map((p) => readFileSync(p, 'utf8')),
    env,
  );
  t.deepEqual(await scratchDatabases(stage), []);
  t.deepEqual(
    await stage.pg.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public'", [], 'visionsuit'),
    [],
    'the real target is untouched',
  );
  const live = new Database(stage.sqlitePath, { readonly: true });
  t.true(
    (live.prepare(`SELECT count(*) AS n FROM "Notification" WHERE title LIKE 'live write %'`).get() as { n: number })
      .n >= writes,
  );
  live.close();
});

test("the adversarial fixture's rehearsal lists every finding and projects a failing migration", async (t) => {
  const stage = await startCutoverStage('rehearse-adversarial', tracker, { fixture: 'adversarial' });
  const r = await vsctl(stage, 'rehearse');
  t.is(r.code, 1, r.stdout.slice(-3000));
  t.regex(r.stdout, /verdict: would fail/);
  const rep = await report(stage, r.stdout);
  t.is(rep.verdict, 'would fail');
  t.true(rep.reasons.some((x) => x.startsWith('VS_ERR_LINT_FINDINGS')));
  const db = openSnapshot(stage.sqlitePath);
  const expected = lintSnapshot(db, await readSchemaFile(FIXTURE_SCHEMA), []).findings;
  db.close();
  const key = (f: { table: string; key: string; column: string; rule: string }) =>
    `${f.table}|${f.key}|${f.column}|${f.rule}`;
  t.deepEqual(rep.findings.map(key).sort(), expected.map(key).sort());
  t.true(new Set(rep.findings.map((f) => f.rule)).size >= 8, 'every kind of quirk is named');
  t.deepEqual(await scratchDatabases(stage), []);

  // With a policy for every rule, the same rehearsal projects a migration that works.
  const policies = ADVERSARIAL_POLICIES.flatMap((p) => ['--policy', p]);
  const lenient = await vsctl(stage, 'rehearse', ...policies);
  t.is(lenient.code, 0, lenient.stdout.slice(-3000));
  const rep2 = await report(stage, lenient.stdout);
  t.is(rep2.verdict, 'would succeed', rep2.reasons.join('; '));
  t.is(rep2.findings.length, rep.findings.length, 'the same findings, each handled by its policy');
  t.is(rep2.preflight.find((c) => c.name === 'data lint')!.status, 'warn');
});

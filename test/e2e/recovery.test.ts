// agent-app killed or stopped in the middle of a migration: after its restart
// every run ends completed or rolled back, with the app serving and no row
// lost; a SIGTERM pauses at a checkpoint and the run resumes. The watcher
// (vsctl watch) rides through each restart by re-attaching.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { BIN, runProgram } from '../harness/agents.js';
import { trackWith } from '../harness/stage.js';
import { backend, prismaFiles, restartAgentApp, startCutoverStage, watchLive } from '../harness/cutover.js';
import type { CutoverStage } from '../harness/cutover.js';

const tracker = trackWith(test);

interface Event {
  log?: { message: string };
  step?: { name: string; state: string };
  table?: { table: string };
  finished?: { state: string; error?: { code: string } };
}

/**
 * Start a migration, follow it with `vsctl watch --json`, and when `when`
 * matches an event, send agent-app `signal`, run `meanwhile` (what the host
 * does while agent-app is down), and start agent-app again.
 */
async function interrupt(
  stage: CutoverStage,
  when: (e: Event) => boolean,
  signal: NodeJS.Signals,
  meanwhile: () => Promise<void> = async () => {},
  migrateArgs: string[] = [],
): Promise<{ finished: Event['finished']; exit: { code: number | null } }> {
  const started = await runProgram(BIN.vsctl, [
    'migrate',
    ...migrateArgs,
    '--detach',
    '--json',
    `--socket-path=${stage.agentApp.socketPath}`,
  ]);
  if (started.code !== 0) throw new Error(started.stderr);
  const id = (JSON.parse(started.stdout) as { id: string }).id;
  let exit: { code: number | null } = { code: null };
  let fired = false;
  let restarted: Promise<unknown> = Promise.resolve();
  const watched = await watchLive<Event>(stage, id, (e) => {
    if (fired || !when(e)) return;
    fired = true;
    const proc = stage.agentApp.proc;
    proc.signal(signal);
    restarted = proc.waitForExit(30_000).then(async (x) => {
      exit = x;
      await meanwhile();
      return restartAgentApp(stage, tracker);
    });
  });
  if (watched.code === null) throw new Error('watcher died');
  await restarted;
  const finished = watched.events.filter((e) => e.finished).at(-1)?.finished;
  return { finished, exit };
}

async function servesFrom(stage: CutoverStage): Promise<{ database: string; counts: Record<string, number> }> {
  return (await backend<{ database: string; counts: Record<string, number> }>(stage, '/api/stats')).body;
}

const started = (name: string) => (e: Event) => e.step?.name === name && e.step.state === 'started';
for (const [when, name, args] of [
  [(e: Event) => e.table !== undefined, 'the copy of the pre-copy', []],
  [started('verify'), "the pre-copy's verify", []],
  [started('catch-up round 1'), 'a catch-up round', []],
  [started('last changes'), "the freeze's last changes", []],
  [(e: Event) => e.table !== undefined, 'an offline copy', ['--offline']],
  [started('verify'), 'an offline verify', ['--offline']],
] as const) {
  test.serial(
    `SIGKILL during ${name}: after the restart the run completes, and the app serves every row from PostgreSQL`,
    async (t) => {
      const stage = await startCutoverStage(`kill-${name.replace(/\W+/g, '-')}`, tracker, { fixture: 'medium' });
      const before = await servesFrom(stage);
      const { finished, exit } = await interrupt(stage, when, 'SIGKILL', undefined, [...args]);
      t.is(exit.code, null, 'killed');
      t.is(finished?.state, 'succeeded', JSON.stringify(finished));
      const after = await servesFrom(stage);
      t.is(after.database, 'postgresql');
      t.deepEqual(after.counts, before.counts);
      t.regex(stage.agentApp.proc.output(), /operation resumed/);
      // The sealed file and the database: equal in every value.
      const verify = await runProgram(BIN.vsctl, ['verify', `--socket-path=${stage.agentApp.socketPath}`]);
      t.is(verify.code, 0, verify.stdout + verify.stderr);
    },
  );
}

test.serial(
  'SIGKILL during the switch: after the restart the run rolls back, and the app serves from SQLite with its env files as before',
  async (t) => {
    // A slow switch hook keeps the run inside the switch, after the env files changed.
    const stage = await startCutoverStage('kill-switch', tracker, { agentApp: { switchHook: ['/bin/sleep', '5'] } });
    const before = await servesFrom(stage);
    const env = stage.envFiles.map((p) => readFileSync(p, 'utf8'));
    const prismaBefore = prismaFiles(stage);
    const { finished } = await interrupt(stage, (e) => /^env files switched/.test(e.log?.message ?? ''), 'SIGKILL');
    t.is(finished?.state, 'rolled_back', JSON.stringify(finished));
    t.is(finished?.error?.code, 'VS_ERR_INTERRUPTED');
    t.deepEqual(await servesFrom(stage), before);
    t.deepEqual(
      stage.envFiles.map((p) => readFileSync(p, 'utf8')),
      env,
    );
    // Killed in or right after the Prisma switch: its undo puts every byte back.
    t.deepEqual(prismaFiles(stage), prismaBefore, 'schema.prisma and the migrations directory as before');
  },
);

test.serial(
  'SIGTERM during the copy: agent-app pauses at a checkpoint and exits 0; restarted, the run resumes and completes',
  async (t) => {
    const stage = await startCutoverStage('term-copy', tracker, { fixture: 'medium' });
    const before = await servesFrom(stage);
    const { finished, exit } = await interrupt(stage, (e) => e.table !== undefined, 'SIGTERM');
    t.is(exit.code, 0);
    t.is(finished?.state, 'succeeded', JSON.stringify(finished));
    t.deepEqual((await servesFrom(stage)).counts, before.counts);
  },
);

// Data safety, item 1: the resumed run reused its snapshot without comparing it with the live file,
// so rows the app wrote while agent-app was down were never migrated, and SQLite was sealed without them.
test.serial(
  'a resumed run migrates a stale snapshot: SIGKILL at the first copy event, the app started and written to as after a reboot, then agent-app restarted',
  async (t) => {
    const stage = await startCutoverStage('kill-reboot', tracker, { fixture: 'medium' });
    const before = await servesFrom(stage);
    const { finished } = await interrupt(
      stage,
      (e) => e.table !== undefined,
      'SIGKILL',
      async () => {
        // The backend's unit is enabled: a reboot starts it, on SQLite, and users write.
        await stage.services.start('vs-backend.service');
        const ready = async () => (await servesFrom(stage)).database === 'sqlite';
        for (let i = 0; i < 100 && !(await ready().catch(() => false)); i++)
          await new Promise((r) => setTimeout(r, 100));
        const users = await backend<Array<{ id: string }>>(stage, '/api/users');
        for (let i = 0; i < 3; i++) {
          const r = await backend<{ database: string }>(stage, '/api/notifications', {
            method: 'POST',
            body: JSON.stringify({ userId: users.body[0]!.id, title: `while agent-app was down ${i}` }),
          });
          t.is(r.body.database, 'sqlite');
        }
      },
      ['--offline'],
    );
    t.is(finished?.state, 'succeeded', JSON.stringify(finished));
    const after = await servesFrom(stage);
    t.is(after.database, 'postgresql');
    t.is(
      after.counts['Notification'],
      before.counts['Notification']! + 3,
      'the three rows written while agent-app was down are in PostgreSQL',
    );
  },
);

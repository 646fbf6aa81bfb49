// `npm run demo`: a local rehearsal stage on this machine — a PostgreSQL cluster,
// agent-db, a loopback sshd that permits forwarding to those two ports only,
// agent-app paired through a bundle, `vsctl status` through all of it — then
// the migration of a generated VisionSuit database (the `medium` fixture,
// ~120k rows) through an SSH link to that sshd, with live progress, ending in
// the verification of every value. Everything lives in temporary directories
// and on free ports; it cleans up after itself, so it can be run again and again.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, appStatus, cleanEnv } from '../test/harness/agents.js';
import { pollUntil } from '../test/harness/proc.js';
import { Tracker, startPair } from '../test/harness/stage.js';
import { generateFixture, FIXTURE_SCHEMA } from '../test/fixtures/generate.js';
import { readFile } from 'node:fs/promises';
import { parseSchema } from '../agent-app/engine/prisma-schema.js';
import { migrate } from '../agent-app/engine/migrate.js';
import { ProgressPrinter } from '../agent-app/engine/progress-text.js';
import { targetFromUrl } from '../agent-app/engine/target.js';
import type { SshLink } from '../shared/ssh-link.js';
import { openLink } from '../test/harness/sshd.js';

function step(text: string): () => void {
  const started = Date.now();
  process.stderr.write(`• ${text} ... `);
  return () => process.stderr.write(`ok (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

async function main(): Promise<number> {
  const tracker = new Tracker();
  const dirs: string[] = [];
  let link: SshLink | null = null;
  try {
    const done = step('starting PostgreSQL, agent-db, sshd and agent-app, and pairing them');
    const pair = await startPair('demo', tracker);
    dirs.push(pair.dir, pair.pg.dir, pair.sshd.dir);
    done();
    const up = step('waiting for the SSH link and agent-db health');
    await pollUntil('a healthy link', async () => {
      const s = await appStatus(pair.agentApp.socketPath);
      return s.link?.state === 'up' && s.agentDb?.health === 'SERVING';
    });
    up();
    process.stderr.write(`\n$ vsctl status --socket-path=${pair.agentApp.socketPath}\n`);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [BIN.vsctl, 'status', `--socket-path=${pair.agentApp.socketPath}`], { stdio: 'inherit', env: cleanEnv() });
      child.on('exit', (c) => resolve(c ?? 1));
    });
    if (code !== 0) return code;

    process.stderr.write('\n');
    const gen = step('generating a VisionSuit SQLite database (medium: 30 tables, ~120k rows, with text dates mixed in)');
    const fx = await generateFixture('medium', join(pair.dir, 'dev.db'));
    gen();
    await pair.pg.query('CREATE DATABASE visionsuit');
    const tunnel = step('opening an SSH link to the PostgreSQL host (pinned host key, forwarding only)');
    link = await openLink(pair.sshd, pair.pg.port, join(pair.dir, 'link.log'));
    tunnel();

    process.stderr.write(`\nmigrating ${fx.rows} rows into database "visionsuit" through the link:\n`);
    const printer = new ProgressPrinter(process.stderr);
    const schemaText = await readFile(FIXTURE_SCHEMA, 'utf8');
    const summary = await migrate({
      sqlitePath: fx.path,
      schema: parseSchema(schemaText, FIXTURE_SCHEMA),
      schemaText,
      target: targetFromUrl(pair.pg.url('visionsuit', link.localPort('postgres'))),
      workDir: join(pair.dir, 'run'),
      policies: [],
      replace: false,
      onEvent: (e) => printer.event(e),
    });
    printer.done();
    const v = summary.verification;
    process.stderr.write(
      `${summary.rows} rows, ${(summary.bytes / 1048576).toFixed(1)} MB in ${summary.seconds.toFixed(1)} s; ` +
        `verification: ${v?.ok ? `every value of ${v.tables.length} tables equal, ${v.checks.length} catalog checks passed` : 'DIFFERENCES FOUND'}\n`,
    );
    const counts = await pair.pg.query<{ t: string; n: string }>(
      `SELECT 'User' AS t, count(*)::text AS n FROM "User" UNION ALL SELECT 'ImageAsset', count(*)::text FROM "ImageAsset" UNION ALL SELECT 'Notification', count(*)::text FROM "Notification"`,
      [],
      'visionsuit',
    );
    process.stderr.write(`\nPostgreSQL now serves: ${counts.map((r) => `${r.t} ${r.n}`).join(', ')}\n`);
    process.stderr.write(
      `\n${summary.ok ? 'Migrated and verified.' : 'The migration did not verify.'} What the demo does not do yet: the write freeze, the env-file switch and\n` +
        `restarts of a real app (vsctl migrate), which come with the cutover work.\n`,
    );
    return summary.ok ? 0 : 1;
  } catch (err) {
    process.stderr.write(`failed\n\ndemo: ${(err as Error).message}\n`);
    tracker.printLogs({ title: 'demo' } as never);
    return 1;
  } finally {
    const clean = step('stopping everything and removing the temporary stage');
    await link?.stop();
    await tracker.stopAll();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    clean();
  }
}

main().then((code) => {
  process.exitCode = code;
});

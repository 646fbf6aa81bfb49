// `npm run demo`: a local stage on this machine — a PostgreSQL cluster, agent-db,
// a loopback sshd that permits forwarding to those two ports only, agent-app
// paired through a bundle — then `vsctl status` through all of it. Everything
// lives in temporary directories and on free ports; it cleans up after itself,
// so it can be run again and again.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { BIN, appStatus, cleanEnv } from '../test/harness/agents.js';
import { pollUntil } from '../test/harness/proc.js';
import { Tracker, startPair } from '../test/harness/stage.js';

function step(text: string): () => void {
  const started = Date.now();
  process.stderr.write(`• ${text} ... `);
  return () => process.stderr.write(`ok (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

async function main(): Promise<number> {
  const tracker = new Tracker();
  const dirs: string[] = [];
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
    process.stderr.write(`\nvsctl exited ${code}. The migration itself (vsctl migrate) is not built yet; this stage is what it will run on.\n`);
    return code;
  } catch (err) {
    process.stderr.write(`failed\n\ndemo: ${(err as Error).message}\n`);
    tracker.printLogs({ title: 'demo' } as never);
    return 1;
  } finally {
    const clean = step('stopping everything and removing the temporary stage');
    await tracker.stopAll();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    clean();
  }
}

main().then((code) => {
  process.exitCode = code;
});

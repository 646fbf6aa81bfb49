// `npm run demo`: the operator's runbook, start to end, on this one machine.
// A PostgreSQL cluster set up the Debian way and a loopback sshd stand for the
// PostgreSQL host; `vs-agent-db bootstrap` provisions it; agent-app, the
// external connector and a stand-in VisionSuit backend (serving a generated
// `medium` database from SQLite, run by a stand-in systemctl) stand for the
// VisionSuit host. Then: vsctl pair, preflight, status, migrate with its live
// view, and the backend serving the same data from PostgreSQL. Everything
// lives in temporary directories on free ports and is removed at the end
// (bootstrap's Linux user and roles by `unbootstrap`), so it runs again and again;
// DEMO_KEEP=1 keeps the stage's directory (logs, run reports) for a look afterwards.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { BIN, cleanEnv, runProgram, startAgentApp } from '../test/harness/agents.js';
import { pollUntil } from '../test/harness/proc.js';
import { Tracker } from '../test/harness/stage.js';
import { isRoot, freePort } from '../test/harness/system.js';
import { prepareBootstrapStage, runAgentDb, serveAgentDb } from '../test/harness/bootstrap-stage.js';
import type { BootstrapStage } from '../test/harness/bootstrap-stage.js';
import { prepareVisionSuitHost } from '../test/harness/cutover.js';
import { parseDatabaseUrl } from '../shared/database-url.js';

const out = process.stdout;

function step(text: string): () => void {
  const started = Date.now();
  out.write(`• ${text} ... `);
  return () => out.write(`ok (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

/** Run one of our programs with the terminal, showing the command as an operator would type it. */
function show(shown: string, bin: string, args: string[]): Promise<number> {
  out.write(`\n$ ${shown}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: 'inherit', env: cleanEnv() });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function stats(url: string): Promise<{ database: string; counts: Record<string, number> }> {
  return (await (await fetch(`${url}/api/stats`)).json()) as { database: string; counts: Record<string, number> };
}

const describe = (s: { database: string; counts: Record<string, number> }) =>
  `${Object.entries(s.counts)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ')} (from ${s.database})`;

async function main(): Promise<number> {
  if (!isRoot) {
    out.write(
      'demo: run it as root: vs-agent-db bootstrap creates a Linux user, and initdb runs as the postgres user\n',
    );
    return 2;
  }
  const tracker = new Tracker();
  let db: BootstrapStage | null = null;
  // Everything but PostgreSQL and sshd, which unbootstrap still needs.
  const apps: Array<{ stop: () => Promise<unknown> }> = [];
  const stopApps = async () => {
    for (const a of apps.reverse()) await a.stop().catch(() => {});
  };
  try {
    out.write('The PostgreSQL host\n');
    let done = step(
      'a PostgreSQL cluster (the postgres user by peer authentication, as on Debian) and a loopback sshd',
    );
    db = await prepareBootstrapStage('demo', tracker);
    done();
    if ((await show('vs-agent-db bootstrap', BIN.agentDb, ['bootstrap', '--config', db.configPath])) !== 0) return 1;
    out.write('\n');
    done = step('starting agent-db with the token and role bootstrap made');
    apps.push(await serveAgentDb(db, tracker));
    done();

    out.write('\nThe VisionSuit host\n');
    done = step(
      'a VisionSuit install: env files, backend/.env, a generated SQLite database (medium, ~120k rows), the backend running',
    );
    const host = await prepareVisionSuitHost(db.dir, tracker, { fixture: 'medium' });
    done();
    const before = await stats(host.backendUrl);
    out.write(`  the backend serves ${describe(before)}\n`);
    // The external connector is a unit of the stand-in service manager, as it is a systemd unit in production.
    const connectorPorts = { listenPort: await freePort(), httpPort: await freePort() };
    const pairingFile = join(db.dir, 'agent-app-state', 'pairing.conf');
    const connectorConfig = join(db.dir, 'connector.json');
    writeFileSync(connectorConfig, JSON.stringify({ ...connectorPorts, grpcPort: 0, pairingFile }));
    writeFileSync(
      join(db.dir, 'systemd', 'units', 'visionsuit-external-connector.service.json'),
      JSON.stringify({
        argv: [process.execPath, BIN.connector, '--config', connectorConfig],
        log: join(db.dir, 'connector.log'),
      }),
    );
    // Stopped in reverse: agent-app, the backend (closing its connections), the connector.
    apps.push({ stop: () => host.services.stop('visionsuit-external-connector.service') });
    apps.push({ stop: () => host.services.stop('vs-backend.service') });
    done = step('starting agent-app (not paired yet)');
    const agentApp = await startAgentApp(db.dir, pairingFile, {
      config: {
        ...host.config,
        connectorListen: `127.0.0.1:${connectorPorts.listenPort}`,
        connectorHealthUrl: `http://127.0.0.1:${connectorPorts.httpPort}/healthz`,
      },
    });
    tracker.addProcess(agentApp.proc);
    apps.push(agentApp.proc);
    done();
    const socket = `--socket-path=${agentApp.socketPath}`;
    if (
      (await show('vsctl pair --bundle vs-conf.txt', BIN.vsctl, [
        'pair',
        '--bundle',
        db.config.bootstrap.bundlePath,
        socket,
      ])) !== 0
    )
      return 1;
    done = step('waiting for the external connector, which pairing started, to serve');
    await pollUntil(
      'the connector to serve',
      async () =>
        (await fetch(`http://127.0.0.1:${connectorPorts.httpPort}/healthz`).catch(() => null))?.status === 200,
      30_000,
    );
    done();
    if ((await show('vsctl preflight', BIN.vsctl, ['preflight', socket])) !== 0) return 1;
    if ((await show('vsctl status', BIN.vsctl, ['status', socket])) !== 0) return 1;

    out.write('\nThe migration\n');
    if ((await show('vsctl migrate', BIN.vsctl, ['migrate', socket])) !== 0) return 1;
    const after = await stats(host.backendUrl);
    const url = parseDatabaseUrl(dotenv.parse(readFileSync(host.envFiles[0]!))['DATABASE_URL']!);
    out.write(`\nthe backend now serves ${describe(after)}\n`);
    out.write(
      `its DATABASE_URL points at the external connector: postgresql://${url.user}:***@${url.host}:${url.port}/${url.database}\n`,
    );
    const same = JSON.stringify(after.counts) === JSON.stringify(before.counts) && after.database === 'postgresql';
    // The proof is the verification of every value, not the row counts above: read it from the run's report.
    const runs = await runProgram(BIN.vsctl, ['--json', 'runs', socket]);
    const run = (JSON.parse(runs.stdout) as Array<{ id: string; kind: string }>).find((r) => r.kind === 'migrate')!;
    const report = JSON.parse((await runProgram(BIN.vsctl, ['--json', 'report', run.id, socket])).stdout) as {
      rows: number;
      verification: {
        ok: boolean;
        tables: Array<{ equal: boolean; rows: { target: number } }>;
        checks: Array<{ ok: boolean }>;
      };
    };
    const v = report.verification;
    const equal = v.tables.filter((x) => x.equal).length;
    out.write(
      v.ok && same
        ? `verified: every value of the ${equal} tables (${v.tables.reduce((a, x) => a + x.rows.target, 0)} rows) equals the frozen SQLite file, compared by content on both sides, and ${v.checks.filter((c) => c.ok).length} catalog checks pass.\n` +
            `  the report: vsctl report ${run.id}; verify again at any time: vsctl verify\n`
        : `THE DATA DIFFERS: ${v.tables.length - equal} table(s); vsctl report ${run.id} names the rows.\n`,
    );
    return same && v.ok ? 0 : 1;
  } catch (err) {
    out.write(`failed\n\ndemo: ${(err as Error).message}\n`);
    tracker.printLogs({ title: 'demo' } as never);
    // The units the stand-in systemctl ran log to files of their own.
    for (const name of ['connector.log', 'vs-backend.log']) {
      const path = db ? join(db.dir, name) : '';
      if (path && existsSync(path)) out.write(`\n----- ${name} -----\n${readFileSync(path, 'utf8').slice(-10_000)}\n`);
    }
    return 1;
  } finally {
    out.write('\n');
    const clean = step('stopping everything, unbootstrap, removing the temporary stage');
    await stopApps?.();
    if (db) {
      const undo = await runAgentDb(db, 'unbootstrap', '--force', '--drop-data');
      if (undo.code !== 0) {
        out.write(`\nunbootstrap did not remove everything:\n${undo.stdout}${undo.stderr}\n`);
        process.exitCode = 1;
      }
      await tracker.stopAll();
      if (!process.env['DEMO_KEEP']) rmSync(db.dir, { recursive: true, force: true });
      rmSync(db.pg.dir, { recursive: true, force: true });
      rmSync(db.sshd.dir, { recursive: true, force: true });
    }
    await tracker.stopAll();
    clean();
  }
}

main().then(
  (code) => {
    process.exitCode ||= code;
  },
  (err: unknown) => {
    process.stderr.write(`demo: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);

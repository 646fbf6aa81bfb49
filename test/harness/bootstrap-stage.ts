// A PostgreSQL host for `vs-agent-db bootstrap`, as Debian sets one up: the
// postgres Linux user is the superuser by peer authentication on the socket,
// everyone else logs in with a SCRAM password; sshd reads the bootstrap user's
// own authorized_keys. Bootstrap's settings point everything it writes into
// the stage's directory, and its SSH user gets a unique name.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BIN, cleanEnv, runProgram } from './agents.js';
import type { RunResult } from './agents.js';
import { ManagedProcess, pollUntil } from './proc.js';
import type { PgCluster } from './postgres.js';
import { Sshd } from './sshd.js';
import { startCluster } from './stage.js';
import type { Tracker } from './stage.js';
import { binary, freePort, tempDir } from './system.js';
import { checkHealth, tokenMetadata } from '../../shared/grpc.js';
import { readFileSync } from 'node:fs';

export interface BootstrapStage {
  dir: string;
  pg: PgCluster;
  sshd: Sshd;
  user: string;
  agentDbPort: number;
  configPath: string;
  config: {
    tokenFile: string;
    postgres: { passwordFile: string };
    bootstrap: { secretsDir: string; bundlePath: string; sshHome: string; sshdDropInDir: string };
  };
}

export async function prepareBootstrapStage(label: string, tracker: Tracker): Promise<BootstrapStage> {
  const dir = tempDir(label, 0o755);
  const pg = await startCluster(label, tracker, {}, (c) =>
    writeFileSync(
      join(c.dataDir, 'pg_hba.conf'),
      'local all postgres peer\nlocal all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n',
    ),
  );
  const user = `vsm-bt-${randomBytes(3).toString('hex')}`;
  // A stock sshd: what keeps the migrator to local forwards is bootstrap's drop-in, not the test's settings.
  const sshdDropInDir = join(dir, 'sshd_config.d');
  const sshd = await Sshd.create(label, [], {
    user,
    authorizedKeysFile: '%h/.ssh/authorized_keys',
    stockIncludeDir: sshdDropInDir,
  });
  tracker.add(
    'sshd',
    () => sshd.proc,
    () => sshd.stop(),
  );
  const agentDbPort = await freePort();
  const config = {
    port: agentDbPort,
    tokenFile: join(dir, 'agent-token'),
    stateDir: join(dir, 'agent-db-state'),
    healthPollMs: 200,
    postgres: { host: '127.0.0.1', port: pg.port, user: 'vs_agent_db', passwordFile: join(dir, 'pg-admin-password') },
    bootstrap: {
      sshUser: user,
      sshHome: join(dir, 'home'),
      sshHost: '127.0.0.1',
      sshPort: sshd.port,
      hostKeyFile: join(sshd.dir, 'host_ed25519.pub'),
      secretsDir: join(dir, 'secrets'),
      bundlePath: join(dir, 'vs-conf.txt'),
      serviceUser: 'root',
      sshdConfig: join(sshd.dir, 'sshd_config'),
      sshdDropInDir,
      sshd: binary('sshd')!,
      sshdReload: ['kill', '-HUP', String(sshd.proc!.pid)],
      superuser: { host: pg.socketDir },
    },
  };
  const configPath = join(dir, 'agent-db.json');
  writeFileSync(configPath, JSON.stringify(config));
  return { dir, pg, sshd, user, agentDbPort, configPath, config };
}

/** `vs-agent-db <args> --config <the stage's>`, to completion. */
export function runAgentDb(stage: BootstrapStage, ...args: string[]): Promise<RunResult> {
  return runProgram(BIN.agentDb, [...args, '--config', stage.configPath]);
}

/** agent-db serving with what bootstrap wrote, answering SERVING. */
export async function serveAgentDb(stage: BootstrapStage, tracker: Tracker): Promise<ManagedProcess> {
  const proc = tracker.addProcess(
    new ManagedProcess('agent-db', process.execPath, [BIN.agentDb, '--config', stage.configPath], {
      logPath: join(stage.dir, 'agent-db.log'),
      env: cleanEnv(),
    }),
  );
  const token = readFileSync(stage.config.tokenFile, 'utf8').trim();
  await pollUntil('agent-db to serve', async () => {
    if (!proc.running) throw new Error(`agent-db exited:\n${proc.output()}`);
    return (
      (await checkHealth(`127.0.0.1:${stage.agentDbPort}`, { metadata: tokenMetadata(token), deadlineMs: 1000 }).catch(
        () => 'UNKNOWN',
      )) === 'SERVING'
    );
  });
  return proc;
}

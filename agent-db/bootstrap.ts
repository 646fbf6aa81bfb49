// `vs-agent-db bootstrap` and `unbootstrap`: the one-shot, root-run setup of
// the PostgreSQL host, and its exact undo. Bootstrap reconciles, it does not
// script: each step checks what is there, changes only what differs, and says
// so in one line; a second run with nothing to change changes nothing. What it
// created (as opposed to found) is kept in a record in the secrets directory,
// and unbootstrap removes exactly that.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { VsError, fromPgError } from '../shared/errors.js';
import { formatBundle } from '../shared/bundle.js';
import { parseHostKey } from '../shared/ssh-host-key.js';
import { lookupGroup, lookupUser } from '../shared/os-accounts.js';
import { readSecretFile } from '../shared/secret-file.js';
import { writeFileAtomic } from '../shared/atomic-file.js';
import type { AgentDbConfig } from './config.js';
import { databaseHoldsData, ensureAgentRole, ensureDatabase, newPassword, verifierCheck } from './provision.js';

export type Say = (line: string) => void;

/** What bootstrap created, as opposed to found; unbootstrap removes only these. */
interface BootstrapRecord {
  role?: string;
  database?: string;
  agentRole?: string;
  user?: string;
  home?: string;
  files: string[];
  /** Directories bootstrap had to create for its files; removed when empty. */
  dirs?: string[];
}

const NOLOGIN = '/usr/sbin/nologin';

function recordPath(config: AgentDbConfig): string {
  return join(config.bootstrap.secretsDir, 'record.json');
}

async function readRecord(config: AgentDbConfig): Promise<BootstrapRecord> {
  try {
    return JSON.parse(await readFile(recordPath(config), 'utf8')) as BootstrapRecord;
  } catch {
    return { files: [] };
  }
}

async function saveRecord(config: AgentDbConfig, record: BootstrapRecord): Promise<void> {
  await writeFileAtomic(recordPath(config), JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
}

function run(command: string, args: string[], what: string): string {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        DEBIAN_FRONTEND: 'noninteractive',
        LC_ALL: 'C',
      },
    });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '')
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    throw new VsError('VS_ERR_BOOTSTRAP', `${what}: ${command} failed${stderr ? `: ${stderr}` : ''}`, { cause: err });
  }
}

function have(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function installedMajors(): number[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((d) => /^\d+$/.test(d) && existsSync(`/usr/lib/postgresql/${d}/bin/postgres`))
      .map(Number);
  } catch {
    return [];
  }
}

/** PostgreSQL's server package, installed with apt when no server is present. */
function ensurePostgresInstalled(config: AgentDbConfig, say: Say, changes: string[]): void {
  const majors = installedMajors();
  if (majors.length > 0 || have('postgres')) {
    say(`  ok   PostgreSQL ${majors.join(', ') || ''} is installed`.replace(/ +is/, ' is'));
    return;
  }
  if (!config.bootstrap.installPackages)
    throw new VsError(
      'VS_ERR_BOOTSTRAP',
      'PostgreSQL is not installed and bootstrap.installPackages is false; install the postgresql package',
    );
  if (!have('apt-get'))
    throw new VsError(
      'VS_ERR_BOOTSTRAP',
      'PostgreSQL is not installed and this host has no apt-get; install PostgreSQL with its package manager, then run bootstrap again',
    );
  say('  ...  installing PostgreSQL (apt-get install postgresql)');
  run('apt-get', ['update', '-q'], 'install PostgreSQL');
  run('apt-get', ['install', '-y', '-q', 'postgresql'], 'install PostgreSQL');
  changes.push(`installed PostgreSQL ${installedMajors().join(', ')}`);
}

/**
 * The superuser connection bootstrap needs once: with a password file, a
 * password login; without, peer authentication on the socket as the postgres
 * Linux user. For that one connect() the process takes that user's identity
 * (effective ids only, restored at once): the kernel records the peer's
 * credentials at connect time, and nothing else runs meanwhile.
 */
export async function connectSuperuser(config: AgentDbConfig, database = 'postgres'): Promise<pg.Client> {
  const su = config.bootstrap.superuser;
  const password = su.passwordFile ? await readSecretFile(su.passwordFile, 'superuser password file') : undefined;
  const client = new pg.Client({
    host: su.host,
    port: config.postgres.port,
    user: su.user,
    database,
    password,
    connectionTimeoutMillis: config.postgres.connectTimeoutMs,
    application_name: 'vs-agent-db bootstrap',
  });
  client.on('error', () => {});
  let connecting: Promise<unknown>;
  if (password === undefined) {
    if (!su.host.startsWith('/'))
      throw new VsError(
        'VS_ERR_BOOTSTRAP',
        `bootstrap.superuser.host ${su.host} is not a socket directory; peer authentication needs one (or set bootstrap.superuser.passwordFile)`,
      );
    const os = lookupUser(su.osUser);
    if (!os) throw new VsError('VS_ERR_BOOTSTRAP', `Linux user ${su.osUser} does not exist; is PostgreSQL installed?`);
    const ids = process as Required<Pick<NodeJS.Process, 'seteuid' | 'setegid'>>;
    ids.setegid(os.gid);
    ids.seteuid(os.uid);
    try {
      connecting = client.connect();
    } finally {
      ids.seteuid(0);
      ids.setegid(0);
    }
  } else {
    connecting = client.connect();
  }
  try {
    await connecting;
  } catch (err) {
    throw fromPgError(
      err,
      `connect as ${su.user} (${password === undefined ? `peer, as Linux user ${su.osUser}` : 'password'})`,
    );
  }
  return client;
}

/** Connect as superuser, starting a stopped Debian cluster on the configured port once. */
async function superuserRunning(config: AgentDbConfig, say: Say, changes: string[]): Promise<pg.Client> {
  try {
    return await connectSuperuser(config);
  } catch (err) {
    if (!(err instanceof VsError) || err.code !== 'VS_ERR_PG_UNREACHABLE' || !have('pg_lsclusters')) throw err;
    const down = run('pg_lsclusters', ['--no-header'], 'list clusters')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[2] === String(config.postgres.port) && f[3] === 'down');
    if (down.length === 0) throw err;
    const [version, name] = down[0]!;
    say(`  ...  starting cluster ${version}/${name}`);
    run('pg_ctlcluster', [version!, name!, 'start'], 'start PostgreSQL');
    changes.push(`started cluster ${version}/${name}`);
    return connectSuperuser(config);
  }
}

/** Create the missing directories above `path`, noting each in `created` (deepest last). */
async function ensureParents(path: string, created: string[]): Promise<void> {
  const missing: string[] = [];
  for (let dir = dirname(path); !existsSync(dir); dir = dirname(dir)) missing.unshift(dir);
  for (const dir of missing) {
    await mkdir(dir, { mode: 0o750 });
    created.push(dir);
  }
}

async function ensureDir(path: string, mode: number, uid: number, gid: number): Promise<boolean> {
  const created = !existsSync(path);
  if (created) await mkdir(path, { recursive: true });
  await chmod(path, mode);
  await chown(path, uid, gid);
  return created;
}

/** Write `content` when the file differs (content, mode or owner); true when it wrote. */
async function ensureFile(path: string, content: string, mode: number, uid: number, gid: number): Promise<boolean> {
  if (existsSync(path)) {
    const st = await stat(path);
    if ((st.mode & 0o7777) === mode && st.uid === uid && st.gid === gid && readFileSync(path, 'utf8') === content)
      return false;
  }
  await writeFileAtomic(path, content, { mode, uid, gid });
  return true;
}

/** A secret kept in a file: read when present (mode checked), else generated and written 0600. */
async function ensureSecret(
  path: string,
  make: () => string,
  owner: { uid: number; gid: number },
  what: string,
): Promise<{ value: string; created: boolean }> {
  if (existsSync(path)) {
    const value = await readSecretFile(path, what);
    await chown(path, owner.uid, owner.gid);
    return { value, created: false };
  }
  const value = make();
  await writeFileAtomic(path, value + '\n', { mode: 0o600, ...owner });
  return { value, created: true };
}

/** The restriction every issued key carries: two loopback forwards, nothing else. */
export function restrictedKeyLine(publicKey: string, ports: number[]): string {
  const opens = ports.map((p) => `permitopen="127.0.0.1:${p}"`).join(',');
  return `restrict,port-forwarding,${opens},command="${NOLOGIN}" ${publicKey.trim()}\n`;
}

/** The drop-in's name for an SSH user. */
export const sshdDropInPath = (dir: string, user: string) => join(dir, `vsmigrate-${user}.conf`);

/**
 * What makes the key's restriction true on a stock sshd: the authorized_keys
 * options cannot forbid a remote forward (`ssh -R`) where sshd allows them,
 * so sshd itself is told, for this user only: local forwards, no listening,
 * no X11, no agent, no tty, no tunnel.
 */
export const SSHD_RESTRICTIONS: Array<[string, string]> = [
  ['AllowTcpForwarding', 'local'],
  ['PermitListen', 'none'],
  ['AllowStreamLocalForwarding', 'no'],
  ['GatewayPorts', 'no'],
  ['X11Forwarding', 'no'],
  ['AllowAgentForwarding', 'no'],
  ['PermitTTY', 'no'],
  ['PermitTunnel', 'no'],
];

export function sshdDropIn(user: string): string {
  return [
    '# Written by vs-agent-db bootstrap, removed by unbootstrap: the migrator key may only',
    '# open forwards to the two loopback ports its authorized_keys line names.',
    `Match User ${user}`,
    ...SSHD_RESTRICTIONS.map(([k, v]) => `    ${k} ${v}`),
    '',
  ].join('\n');
}

/** sshd's effective settings for the user (`sshd -T -C`), checked against the restrictions; the mismatches. */
function sshdMismatches(config: AgentDbConfig, user: string): string[] {
  const b = config.bootstrap;
  const out = run(
    b.sshd,
    ['-T', '-f', b.sshdConfig, '-C', `user=${user},host=localhost,addr=127.0.0.1`],
    'read the effective sshd config',
  );
  const effective = new Map(
    out.split('\n').map((l) => [l.slice(0, l.indexOf(' ')).toLowerCase(), l.slice(l.indexOf(' ') + 1).trim()]),
  );
  return SSHD_RESTRICTIONS.filter(([k, v]) => effective.get(k.toLowerCase())?.toLowerCase() !== v.toLowerCase()).map(
    ([k, v]) => `${k} is ${effective.get(k.toLowerCase()) ?? 'unset'}, not ${v}`,
  );
}

function reloadSshd(config: AgentDbConfig): void {
  const [command, ...args] = config.bootstrap.sshdReload;
  if (command) run(command, args, 'reload sshd');
}

export interface BootstrapResult {
  changes: string[];
  bundlePath: string;
  restartAgent: boolean;
}

export async function bootstrap(config: AgentDbConfig, say: Say): Promise<BootstrapResult> {
  if (process.getuid?.() !== 0)
    throw new VsError(
      'VS_ERR_BOOTSTRAP',
      'bootstrap must run as root (it creates a Linux user, installs a key and reads the SSH host key)',
    );
  const b = config.bootstrap;
  const changes: string[] = [];
  const note = (line: string) => {
    changes.push(line);
    say(`  +    ${line}`);
  };
  const service = lookupUser(b.serviceUser);
  const serviceIds = service ? { uid: service.uid, gid: service.gid } : { uid: 0, gid: 0 };
  const root = { uid: 0, gid: 0 };

  say('PostgreSQL');
  ensurePostgresInstalled(config, say, changes);
  const newDirs: string[] = [];
  for (const path of [b.secretsDir, config.tokenFile, config.postgres.passwordFile, b.bundlePath, b.sshHome])
    await ensureParents(path, newDirs);
  if (await ensureDir(b.secretsDir, 0o700, 0, 0)) newDirs.push(b.secretsDir);
  const record = await readRecord(config);
  record.dirs = [...new Set([...(record.dirs ?? []), ...newDirs])];
  for (const dir of newDirs) note(`created ${dir}`);
  const created = (path: string) => {
    if (!record.files.includes(path)) record.files.push(path);
  };
  const su = await superuserRunning(config, say, changes);
  const restartAgent: string[] = [];
  try {
    const version = (await su.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    say(`  ok   server ${version} answers on port ${config.postgres.port}`);
    const ownerPw = await ensureSecret(join(b.secretsDir, 'owner-password'), newPassword, root, 'owner password file');
    if (ownerPw.created) created(join(b.secretsDir, 'owner-password'));
    const ensured = await ensureDatabase(su, {
      database: b.database,
      owner: b.ownerRole,
      password: ownerPw.value,
      passwordCheck: verifierCheck(su),
    });
    if (ensured.created.role) record.role = b.ownerRole;
    if (ensured.created.database) record.database = b.database;
    ensured.changes.forEach(note);
    if (config.postgres.user !== b.superuser.user) {
      const agentPw = await ensureSecret(
        config.postgres.passwordFile,
        newPassword,
        serviceIds,
        "agent-db's PostgreSQL password file",
      );
      if (agentPw.created) {
        created(config.postgres.passwordFile);
        restartAgent.push('its PostgreSQL password');
      }
      const agent = await ensureAgentRole(su, config.postgres.user, agentPw.value, b.ownerRole, verifierCheck(su));
      if (agent.created) record.agentRole = config.postgres.user;
      agent.changes.forEach(note);
    }
    if (ensured.changes.length === 0) say(`  ok   role ${b.ownerRole} and database ${b.database} as they should be`);

    say('agent-db');
    const token = await ensureSecret(
      config.tokenFile,
      () => randomBytes(32).toString('hex'),
      serviceIds,
      'agent token file',
    );
    if (token.created) {
      created(config.tokenFile);
      restartAgent.push('its token');
      note(`generated the agent token (${config.tokenFile})`);
    } else say(`  ok   agent token ${config.tokenFile}`);

    say(`SSH user ${b.sshUser}`);
    let user = lookupUser(b.sshUser);
    if (!user) {
      run(
        'useradd',
        ['--system', '--user-group', '--no-create-home', '--home-dir', b.sshHome, '--shell', NOLOGIN, b.sshUser],
        'create the SSH user',
      );
      // '*' rather than useradd's '!': no password can match, and sshd without PAM does not treat it as locked.
      run('usermod', ['-p', '*', b.sshUser], 'create the SSH user');
      record.user = b.sshUser;
      note(`created Linux user ${b.sshUser} (no shell, no password)`);
      user = lookupUser(b.sshUser)!;
    } else if (user.shell !== NOLOGIN) {
      run('usermod', ['-s', NOLOGIN, b.sshUser], 'take the shell away');
      note(`set the shell of ${b.sshUser} to ${NOLOGIN} (was ${user.shell})`);
    }
    for (const group of ['sudo', 'wheel', 'admin']) {
      if (lookupGroup(group)?.members.includes(b.sshUser)) {
        run('gpasswd', ['-d', b.sshUser, group], 'remove sudo rights');
        note(`removed ${b.sshUser} from group ${group}`);
      }
    }
    // Home, .ssh and authorized_keys belong to root: the user cannot loosen its own restrictions.
    if (await ensureDir(b.sshHome, 0o755, 0, 0)) {
      if (!record.home) record.home = b.sshHome;
      note(`created ${b.sshHome}`);
    }
    await ensureDir(join(b.sshHome, '.ssh'), 0o755, 0, 0);
    const keyPath = join(b.secretsDir, 'migrator_ed25519');
    if (!existsSync(keyPath)) {
      run(
        'ssh-keygen',
        ['-q', '-t', 'ed25519', '-N', '', '-C', `${b.sshUser}@${hostname()}`, '-f', keyPath],
        'generate the key pair',
      );
      created(keyPath);
      created(`${keyPath}.pub`);
      note(`generated the ed25519 key pair of ${b.sshUser}`);
    }
    const publicKey = readFileSync(`${keyPath}.pub`, 'utf8');
    const authorized = join(b.sshHome, '.ssh', 'authorized_keys');
    if (await ensureFile(authorized, restrictedKeyLine(publicKey, [config.postgres.port, config.port]), 0o644, 0, 0)) {
      created(authorized);
      note(
        `installed the key in ${authorized}, restricted to forwarding to 127.0.0.1:${config.postgres.port} and 127.0.0.1:${config.port}`,
      );
    } else say(`  ok   ${authorized} holds the restricted key`);

    say('sshd');
    const dropIn = sshdDropInPath(b.sshdDropInDir, b.sshUser);
    const dropInNew = !existsSync(dropIn);
    if (await ensureFile(dropIn, sshdDropIn(b.sshUser), 0o644, 0, 0)) {
      created(dropIn);
      try {
        run(b.sshd, ['-t', '-f', b.sshdConfig], 'check the sshd config');
      } catch (err) {
        if (dropInNew) await rm(dropIn, { force: true });
        throw err;
      }
      reloadSshd(config);
      note(
        `installed ${dropIn} (Match User ${b.sshUser}: local forwards only, no listening, no tty) and reloaded sshd`,
      );
    } else say(`  ok   ${dropIn} restricts ${b.sshUser}`);
    const mismatches = sshdMismatches(config, b.sshUser);
    if (mismatches.length > 0) {
      throw new VsError(
        'VS_ERR_BOOTSTRAP',
        `sshd does not apply ${dropIn} to ${b.sshUser}: ${mismatches.join('; ')}; check that ${b.sshdConfig} includes ${b.sshdDropInDir}/*.conf before its own settings`,
      );
    }
    say(`  ok   sshd applies it: ${SSHD_RESTRICTIONS.map(([k, v]) => `${k} ${v}`).join(', ')}`);

    say('pairing bundle');
    let hostKey: string;
    try {
      hostKey = readFileSync(b.hostKeyFile, 'utf8').trim();
      parseHostKey(hostKey);
    } catch (err) {
      throw new VsError(
        'VS_ERR_BOOTSTRAP',
        `cannot read this host's SSH host key from ${b.hostKeyFile}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const bundle = formatBundle({
      SSH_HOST: b.sshHost || hostname(),
      SSH_PORT: b.sshPort,
      SSH_USER: b.sshUser,
      SSH_PRIVATE_KEY_BASE64: readFileSync(keyPath).toString('base64'),
      SSH_HOST_KEY: hostKey,
      POSTGRES_INTERNAL_HOST: '127.0.0.1',
      POSTGRES_PORT: config.postgres.port,
      POSTGRES_DB: b.database,
      POSTGRES_USER: b.ownerRole,
      POSTGRES_PASSWORD: ownerPw.value,
      POSTGRES_EXTERNAL_CONNECTOR_SERVICE: 'visionsuit-external-connector.service',
      AGENT_DB_PORT: config.port,
      AGENT_DB_TOKEN: token.value,
    });
    if (await ensureFile(b.bundlePath, bundle, 0o600, 0, 0)) {
      created(b.bundlePath);
      note(`wrote the pairing bundle ${b.bundlePath} (0600)`);
    } else say(`  ok   ${b.bundlePath} is current`);
  } finally {
    await saveRecord(config, record);
    await su.end().catch(() => {});
  }
  if (restartAgent.length > 0)
    say(`\nagent-db reads ${restartAgent.join(' and ')} at start: systemctl restart visionsuit-agent-db`);
  return { changes, bundlePath: b.bundlePath, restartAgent: restartAgent.length > 0 };
}

/** Whether a database holds tables; one that cannot be opened (gone already) holds none. */
/**
 * Whether a database holds any relation: true, false, or why it cannot be told
 * (connections refused, a timeout, too many connections). Cannot tell is not empty.
 */
async function holdsTables(
  config: AgentDbConfig,
  su: pg.Client,
  database: string,
): Promise<boolean | { unknown: string }> {
  const exists = await su.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (exists.rowCount === 0) return false;
  let inner: pg.Client;
  try {
    inner = await connectSuperuser(config, database);
  } catch (err) {
    return { unknown: (err as Error).message };
  }
  try {
    return await databaseHoldsData(inner);
  } catch (err) {
    return { unknown: (err as Error).message };
  } finally {
    await inner.end().catch(() => {});
  }
}

export interface UnbootstrapResult {
  removed: string[];
  kept: string[];
}

/** Remove what bootstrap created and nothing else; a database with data stays unless dropData. */
export async function unbootstrap(config: AgentDbConfig, dropData: boolean, say: Say): Promise<UnbootstrapResult> {
  if (process.getuid?.() !== 0) throw new VsError('VS_ERR_BOOTSTRAP', 'unbootstrap must run as root');
  if (!existsSync(recordPath(config)))
    throw new VsError(
      'VS_ERR_BOOTSTRAP',
      `nothing to undo: ${recordPath(config)} does not exist (bootstrap has not run with this configuration)`,
    );
  const record = await readRecord(config);
  const removed: string[] = [];
  const kept: string[] = [];
  const gone = (what: string) => {
    removed.push(what);
    say(`  -    ${what}`);
  };
  const keep = (what: string) => {
    kept.push(what);
    say(`  kept ${what}`);
  };

  const ownerPassword = join(config.bootstrap.secretsDir, 'owner-password');
  const keepFiles = new Set<string>();
  const su = await connectSuperuser(config);
  try {
    let keepOwner = false;
    if (record.database) {
      const holdsData = await holdsTables(config, su, record.database);
      if (typeof holdsData === 'object' && !dropData) {
        keep(
          `database ${record.database}: cannot tell whether it holds data (${holdsData.unknown}); let the superuser connect to it, or back it up and run again with --drop-data`,
        );
        keepOwner = true;
      } else if (holdsData === true && !dropData) {
        keep(`database ${record.database}: it holds data (back it up, then run again with --drop-data)`);
        keepOwner = true;
      } else {
        await su.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(record.database)} WITH (FORCE)`);
        gone(`database ${record.database}${holdsData === false ? '' : ' (with its data, --drop-data)'}`);
      }
    }
    if (record.agentRole) {
      await su.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(record.agentRole)}`);
      gone(`role ${record.agentRole}`);
    }
    if (record.role) {
      if (keepOwner) keep(`role ${record.role}: it owns the kept database`);
      else {
        // What vsmigrate made for this role besides: rehearsal scratch databases, and the
        // Prisma shadow database the switch creates (kept when it holds data, like the main one).
        const owned = await su.query<{ datname: string }>(
          `SELECT datname FROM pg_database WHERE (datname LIKE 'vsrehearsal\\_%' OR datname = $2) AND datdba = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
          [record.role, `${record.database ?? config.bootstrap.database}_shadow`],
        );
        for (const { datname } of owned.rows) {
          const holds = datname.endsWith('_shadow') && (await holdsTables(config, su, datname));
          if (holds !== false && !dropData) {
            keep(
              `database ${datname}: ${typeof holds === 'object' ? `cannot tell whether it holds data (${holds.unknown})` : 'it holds data'} (run again with --drop-data)`,
            );
            continue;
          }
          await su.query(`DROP DATABASE ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
          gone(`database ${datname}`);
        }
        try {
          await su.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(record.role)}`);
          gone(`role ${record.role}`);
        } catch (err) {
          keep(`role ${record.role}: ${(err as Error).message}`);
          keepOwner = true;
        }
      }
    }
    if (keepOwner && record.files.includes(ownerPassword)) {
      keepFiles.add(ownerPassword);
      keep(`${ownerPassword}: the kept role's password`);
    }
  } catch (err) {
    throw fromPgError(err, 'unbootstrap');
  } finally {
    await su.end().catch(() => {});
  }

  let sshdChanged = false;
  for (const file of [...record.files].reverse()) {
    if (existsSync(file) && !keepFiles.has(file)) {
      await rm(file, { force: true });
      gone(file);
      if (file === sshdDropInPath(config.bootstrap.sshdDropInDir, record.user ?? config.bootstrap.sshUser))
        sshdChanged = true;
    }
  }
  if (sshdChanged) {
    reloadSshd(config);
    gone('the sshd restrictions of the removed user (sshd reloaded)');
  }
  if (record.user && lookupUser(record.user)) {
    run('userdel', [record.user], 'remove the SSH user');
    gone(`Linux user ${record.user}`);
  }
  if (record.home && existsSync(record.home)) {
    await rm(join(record.home, '.ssh'), { recursive: true, force: true });
    await rmdir(record.home).then(
      () => gone(record.home!),
      () => keep(`${record.home}: not empty`),
    );
  }
  if (kept.length === 0) {
    await rm(recordPath(config), { force: true });
    const dirs = [...new Set([config.bootstrap.secretsDir, ...(record.dirs ?? [])])].sort(
      (a, b) => b.length - a.length,
    );
    for (const dir of dirs) {
      if (!existsSync(dir)) continue;
      await rmdir(dir).then(
        () => gone(dir),
        () => keep(`${dir}: holds files bootstrap did not create`),
      );
    }
  } else {
    await saveRecord(config, { ...record, files: record.files.filter((f) => existsSync(f)) });
  }
  return { removed, kept };
}

// A real PostgreSQL cluster for tests: initdb in a temp dir, started on a free
// loopback port, as the `postgres` user when tests run as root (initdb refuses
// root). SCRAM authentication with a superuser password kept in a 0600 file.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ManagedProcess, pollUntil } from './proc.js';
import { PG_BIN, freePort, isRoot, tempDir, userIds } from './system.js';

export class PgCluster {
  proc: ManagedProcess | null = null;
  readonly password = randomBytes(12).toString('hex');
  readonly superuser = 'postgres';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly owner: { uid: number; gid: number } | null,
    private readonly settings: Record<string, string>,
  ) {}

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get socketDir(): string {
    return join(this.dir, 'sock');
  }

  /** A file (0600) with the superuser password, for agent-db's passwordFile. */
  passwordFile(path: string): string {
    writeFileSync(path, this.password + '\n', { mode: 0o600 });
    return path;
  }

  /** A file in the cluster's directory owned by the server's user (certificates, keys). */
  ownedFile(name: string, content: string | Buffer, mode: number): string {
    const path = join(this.dir, name);
    writeFileSync(path, content, { mode });
    if (this.owner) chownSync(path, this.owner.uid, this.owner.gid);
    return path;
  }

  /** A new cluster, started; `settings` are extra server settings (-c name=value). */
  static async create(
    label: string,
    settings: Record<string, string> = {},
    prepare?: (cluster: PgCluster) => void,
  ): Promise<PgCluster> {
    const dir = tempDir(`pg-${label}`, 0o755);
    const owner = isRoot ? userIds('postgres') : null;
    if (isRoot && !owner)
      throw new Error('tests run as root need the postgres system user (apt-get install postgresql)');
    const cluster = new PgCluster(dir, await freePort(), owner, settings);
    mkdirSync(cluster.socketDir);
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, cluster.password);
    if (owner) {
      for (const p of [dir, cluster.socketDir, pwfile]) chownSync(p, owner.uid, owner.gid);
    }
    chmodSync(pwfile, 0o600);
    execFileSync(
      `${PG_BIN}/initdb`,
      [
        '-D',
        cluster.dataDir,
        '-U',
        'postgres',
        '--auth=scram-sha-256',
        `--pwfile=${pwfile}`,
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
        '--no-sync',
      ],
      { stdio: 'pipe', ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) },
    );
    prepare?.(cluster);
    await cluster.start();
    return cluster;
  }

  async start(): Promise<void> {
    this.proc = new ManagedProcess(
      'postgres',
      `${PG_BIN}/postgres`,
      [
        '-D',
        this.dataDir,
        '-p',
        String(this.port),
        '-k',
        this.socketDir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'full_page_writes=off',
        ...Object.entries(this.settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
      ],
      { logPath: join(this.dir, 'postgres.log'), ...(this.owner ? { uid: this.owner.uid, gid: this.owner.gid } : {}) },
    );
    await pollUntil('PostgreSQL to accept connections', async () => {
      if (!this.proc!.running) throw new Error(`postgres exited:\n${this.proc!.output()}`);
      const c = this.client();
      await c.connect();
      await c.end();
      return true;
    });
  }

  async stop(): Promise<void> {
    // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients (agent-db's) to leave.
    await this.proc?.stop(10_000, 'SIGINT');
    this.proc = null;
  }

  /** PostgreSQL's immediate shutdown (SIGQUIT): a crash as far as its statistics know; the next start recovers. */
  async stopImmediate(): Promise<void> {
    await this.proc?.stop(10_000, 'SIGQUIT');
    this.proc = null;
  }

  /** A URL of a database on this cluster (through another port, such as an SSH forward, when given). */
  url(database: string, port = this.port): string {
    return `postgresql://${this.superuser}:${encodeURIComponent(this.password)}@127.0.0.1:${port}/${database}`;
  }

  client(database = 'postgres'): pg.Client {
    return new pg.Client({
      host: '127.0.0.1',
      port: this.port,
      user: this.superuser,
      password: this.password,
      database,
    });
  }

  async query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<R[]> {
    const c = this.client(database);
    await c.connect();
    try {
      return (await c.query<R>(sql, params)).rows;
    } finally {
      await c.end();
    }
  }
}

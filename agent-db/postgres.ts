// The one module of agent-db that talks to PostgreSQL. A small pool on the admin
// connection (the local socket, peer authentication, by default); queries are
// parameterised and identifiers quoted, never templated.
import { statfs } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import pg from 'pg';
import { fromPgError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

export interface AdminConnection {
  host: string;
  port: number;
  user: string;
  database: string;
  password?: string;
  connectTimeoutMs: number;
}

export interface ServerFacts {
  serverVersion: string;
  serverVersionNum: number;
  passwordEncryption: string;
  ssl: boolean;
  listenAddresses: string;
  maxConnections: number;
  connections: number;
  dataDirectory: string;
  diskFreeBytes: number;
  diskTotalBytes: number;
  sslCertNotAfter: string;
}

export class Postgres {
  readonly pool: pg.Pool;

  constructor(
    readonly conn: AdminConnection,
    private readonly log: Logger,
  ) {
    this.pool = new pg.Pool({
      host: conn.host,
      port: conn.port,
      user: conn.user,
      database: conn.database,
      password: conn.password,
      connectionTimeoutMillis: conn.connectTimeoutMs,
      max: 4,
      idleTimeoutMillis: 30_000,
      application_name: 'vs-agent-db',
    });
    // An idle client that loses its server must not crash the process.
    this.pool.on('error', (err) => this.log.warn({ errMessage: err.message }, 'idle PostgreSQL connection lost'));
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (err) {
      throw fromPgError(err, 'ping');
    }
  }

  async facts(): Promise<ServerFacts> {
    let row: Record<string, string | number>;
    try {
      const res = await this.pool.query(`
        SELECT current_setting('server_version') AS server_version,
               current_setting('server_version_num')::int AS server_version_num,
               current_setting('password_encryption') AS password_encryption,
               current_setting('ssl') AS ssl,
               current_setting('listen_addresses') AS listen_addresses,
               current_setting('max_connections')::int AS max_connections,
               current_setting('data_directory') AS data_directory,
               current_setting('ssl_cert_file') AS ssl_cert_file,
               (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS connections`);
      row = res.rows[0];
    } catch (err) {
      throw fromPgError(err, 'read server settings');
    }
    const dataDirectory = String(row['data_directory']);
    const fs = await statfs(dataDirectory);
    const ssl = row['ssl'] === 'on';
    return {
      serverVersion: String(row['server_version']),
      serverVersionNum: Number(row['server_version_num']),
      passwordEncryption: String(row['password_encryption']),
      ssl,
      listenAddresses: String(row['listen_addresses']),
      maxConnections: Number(row['max_connections']),
      connections: Number(row['connections']),
      dataDirectory,
      diskFreeBytes: fs.bavail * fs.bsize,
      diskTotalBytes: fs.blocks * fs.bsize,
      sslCertNotAfter: ssl ? await certificateNotAfter(dataDirectory, String(row['ssl_cert_file'])) : '',
    };
  }

  /** One connection to another database with the admin credentials, closed after `fn`. */
  async withDatabase<T>(database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const c = this.conn;
    const client = new pg.Client({
      host: c.host,
      port: c.port,
      user: c.user,
      password: c.password,
      database,
      connectionTimeoutMillis: c.connectTimeoutMs,
      application_name: 'vs-agent-db',
    });
    client.on('error', (err) => this.log.warn({ errMessage: err.message }, 'PostgreSQL connection lost'));
    try {
      await client.connect();
    } catch (err) {
      throw fromPgError(err, `connect to database ${database}`);
    }
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => {});
    }
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}

async function certificateNotAfter(dataDirectory: string, certFile: string): Promise<string> {
  const path = certFile.startsWith('/') ? certFile : `${dataDirectory}/${certFile}`;
  try {
    return new Date(new X509Certificate(await readFile(path)).validTo).toISOString();
  } catch {
    return '';
  }
}

// The pairing agent-app works with, and what hangs off it: the SSH link to the
// PostgreSQL host (forwards to agent-db and to PostgreSQL) and the agent-db
// client. `use` swaps all three at once, so a `vsctl pair` takes effect without
// a restart.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Pairing } from '../../shared/bundle.js';
import { SshLink, pairingEndpoint } from '../../shared/ssh-link.js';
import type { LinkState } from '../../shared/ssh-link.js';
import type { LinkTimings } from '../../shared/config.js';
import { VsError, fromPgError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { AgentDbClient } from './agent-db-client.js';

export interface PairedOptions {
  link: LinkTimings;
  callTimeoutMs: number;
  agentDbPollMs: number;
  log: Logger;
}

/** An SSH link for a pairing: agent-db and PostgreSQL forwarded, not yet started. */
export function linkFor(pairing: Pairing, timings: LinkTimings, log: Logger): SshLink {
  return new SshLink({
    ...pairingEndpoint(pairing),
    forwards: [
      { name: 'agent-db', remoteHost: '127.0.0.1', remotePort: pairing.agentDb.port },
      { name: 'postgres', remoteHost: pairing.postgres.internalHost, remotePort: pairing.postgres.port },
    ],
    ...timings,
    log,
  });
}

/** Log in to PostgreSQL as the pairing's owner role through the link's forward. */
export async function ownerLogin(
  pairing: Pairing,
  link: SshLink,
  timeoutMs: number,
): Promise<{ user: string; database: string; version: string; tables: number }> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: link.localPort('postgres'),
    user: pairing.postgres.user,
    password: pairing.postgres.password,
    database: pairing.postgres.database,
    connectionTimeoutMillis: timeoutMs,
    application_name: 'vs-agent-app',
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const r = await client.query<{ user: string; database: string; version: string; tables: number }>(
      `SELECT current_user AS user, current_database() AS database, current_setting('server_version') AS version,
              (SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema'))::int AS tables`,
    );
    return r.rows[0]!;
  } catch (err) {
    throw fromPgError(err, `log in as ${pairing.postgres.user} to ${pairing.postgres.database} through the link`);
  } finally {
    await client.end().catch(() => {});
  }
}

export class Paired extends EventEmitter {
  pairing: Pairing | null = null;
  link: SshLink | null = null;
  agentDb: AgentDbClient | null = null;

  constructor(private readonly options: PairedOptions) {
    super();
  }

  /** Start working with `pairing`, closing what the previous one had open. */
  async use(pairing: Pairing): Promise<void> {
    await this.close();
    const { log } = this.options;
    const link = linkFor(pairing, this.options.link, log);
    this.pairing = pairing;
    this.link = link;
    // Bound listeners first: the agent-db client needs the forward's local port.
    await link.start();
    const agentDb = new AgentDbClient(
      link.localPort('agent-db'),
      pairing.agentDb.token,
      this.options.callTimeoutMs,
      log,
    );
    this.agentDb = agentDb;
    link.on('state', (state: LinkState) => {
      this.emit('link', state);
      if (state === 'up') {
        void agentDb.refresh();
        agentDb.rewatch();
      }
    });
    agentDb.watch(this.options.agentDbPollMs);
  }

  /** The link, up, or the reason it is not. */
  upLink(): SshLink {
    if (!this.pairing || !this.link)
      throw new VsError('VS_ERR_NOT_PAIRED', 'this host is not paired with a PostgreSQL host');
    if (this.link.state !== 'up')
      throw this.link.snapshot().lastError ?? new VsError('VS_ERR_LINK_DOWN', `the SSH link is ${this.link.state}`);
    return this.link;
  }

  async close(): Promise<void> {
    this.agentDb?.close();
    this.agentDb = null;
    await this.link?.stop();
    this.link = null;
  }
}

// agent-app's view of agent-db: a gRPC client over the SSH link's local forward,
// every call carrying the deployment token, and agent-db's health followed with
// the same Watch stream the connector follows (shared/agent-db-watch.ts).
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { AgentDbClient as GeneratedClient } from '../../proto/gen/vsmigrate/db/v1/AgentDb.js';
import type { DbStatus__Output } from '../../proto/gen/vsmigrate/db/v1/DbStatus.js';
import type { EnsureDatabaseResponse__Output } from '../../proto/gen/vsmigrate/db/v1/EnsureDatabaseResponse.js';
import type { Backup__Output } from '../../proto/gen/vsmigrate/db/v1/Backup.js';
import type { ScratchDatabase__Output } from '../../proto/gen/vsmigrate/db/v1/ScratchDatabase.js';
import type { DropScratchDatabaseResponse__Output } from '../../proto/gen/vsmigrate/db/v1/DropScratchDatabaseResponse.js';
import { call, checkHealth, loadContract, tokenMetadata } from '../../shared/grpc.js';
import type { ServingStatus } from '../../shared/grpc.js';
import { VsError, toVsError } from '../../shared/errors.js';
import { AgentDbWatch } from '../../shared/agent-db-watch.js';
import type { Logger } from '../../shared/logger.js';

export interface AgentDbView {
  health: ServingStatus;
  checkedAt: Date | null;
  error: VsError | null;
}

export class AgentDbClient extends EventEmitter {
  private readonly client: GeneratedClient;
  private readonly target: string;
  private watcher: AgentDbWatch | null = null;
  private view: AgentDbView = { health: 'UNKNOWN', checkedAt: null, error: null };

  constructor(
    localPort: number,
    private readonly token: string,
    private readonly callTimeoutMs: number,
    private readonly log: Logger,
  ) {
    super();
    this.target = `127.0.0.1:${localPort}`;
    const { db } = loadContract();
    this.client = new db.vsmigrate.db.v1.AgentDb(this.target, grpc.credentials.createInsecure());
  }

  get current(): AgentDbView {
    return this.view;
  }

  /** One call with the token; `deadlineMs` defaults to callTimeoutMs. */
  private rpc<Res>(
    invoke: (md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<Res>) => void,
    deadlineMs = this.callTimeoutMs,
  ): Promise<Res> {
    return call<Res>(invoke, { metadata: tokenMetadata(this.token), deadlineMs });
  }

  getStatus(): Promise<DbStatus__Output> {
    return this.rpc((md, opts, cb) => this.client.getStatus({}, md, opts, cb));
  }

  ensureDatabase(database: string, ownerRole: string): Promise<EnsureDatabaseResponse__Output> {
    return this.rpc((md, opts, cb) => this.client.ensureDatabase({ database, ownerRole }, md, opts, cb));
  }

  createScratchDatabase(label: string, ownerRole: string): Promise<ScratchDatabase__Output> {
    return this.rpc((md, opts, cb) => this.client.createScratchDatabase({ label, ownerRole }, md, opts, cb));
  }

  /** Dropping ends the database's connections first; give it minutes. */
  dropScratchDatabase(database: string): Promise<DropScratchDatabaseResponse__Output> {
    return this.rpc((md, opts, cb) => this.client.dropScratchDatabase({ database }, md, opts, cb), 5 * 60_000);
  }

  /** pg_dump on the PostgreSQL host; it can take as long as the database is big. */
  backupDatabase(database: string): Promise<Backup__Output> {
    return this.rpc((md, opts, cb) => this.client.backupDatabase({ database }, md, opts, cb), 6 * 60 * 60_000);
  }

  /** Ask agent-db's health service now and remember the answer. */
  async refresh(): Promise<AgentDbView> {
    let next: AgentDbView;
    try {
      const health = await checkHealth(this.target, {
        metadata: tokenMetadata(this.token),
        deadlineMs: this.callTimeoutMs,
      });
      next = { health, checkedAt: new Date(), error: null };
    } catch (err) {
      next = { health: 'UNKNOWN', checkedAt: new Date(), error: toVsError(err) };
    }
    if (next.health !== this.view.health) {
      this.log.info({ agentDbHealth: next.health, errCode: next.error?.code }, 'agent-db health changed');
    }
    this.view = next;
    this.emit('health', next);
    return next;
  }

  /** Follow agent-db's health from now on; a broken stream is re-opened after `retryMs`. */
  watch(retryMs: number): void {
    if (this.watcher) return;
    const watcher = new AgentDbWatch(this.target, this.token, retryMs, this.log);
    this.watcher = watcher;
    watcher.on('health', (health: ServingStatus) => {
      this.view = { health, checkedAt: new Date(), error: watcher.lastError };
      this.emit('health', this.view);
    });
    watcher.start();
  }

  /** Re-open the health stream now (the link came back). */
  rewatch(): void {
    this.watcher?.restart();
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    this.client.close();
  }
}

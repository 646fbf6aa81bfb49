// Long operations (migrate, rollback, install, ...) run inside agent-app under an
// operation id. The run journal, a small SQLite database in the state
// directory, holds each operation, every event it emitted and the facts a
// resume needs (which units were stopped, which env files were edited), so
// `vsctl runs`, `vsctl watch`, a re-attach and a restart after a crash all read
// one source. One operation runs at a time.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Operation } from '../../proto/gen/vsmigrate/app/v1/Operation.js';
import type { OperationEvent } from '../../proto/gen/vsmigrate/app/v1/OperationEvent.js';
import { VsError, toVsError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { backupStamp } from '../../shared/env-file.js';

export type OpKind = 'migrate' | 'rehearse' | 'verify' | 'rollback' | 'install' | 'prisma-switch';
/** `running` in the journal of a process that died means: resume it at the next start. */
export type OpState = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'rolled_back';

/** An event as emitted; the journal adds the sequence, operation id and time. */
export type OpEvent = Omit<OperationEvent, 'sequence' | 'operationId' | 'time'>;

interface OpRow {
  id: string;
  kind: OpKind;
  state: OpState;
  started_at: string;
  finished_at: string | null;
  step: string;
  error: string | null;
  request: string;
}

export interface OpContext {
  id: string;
  runDir: string;
  /** The request the operation was started with (as JSON). */
  request: unknown;
  emit(event: OpEvent): void;
  /** Run a named step: started/finished/failed events and the current step in the journal. */
  step<T>(name: string, fn: () => Promise<T>, detail?: (out: T) => string): Promise<T>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** True once cancel() or a shutdown asked the operation to stop at its next safe point. */
  stopRequested(): boolean;
  /** Why it was asked to stop. */
  stopReason(): 'cancel' | 'shutdown' | null;
  /** True once `vsctl proceed` gave the go-ahead (journaled: it outlives a restart). */
  proceedRequested(): boolean;
  save(key: string, value: unknown): void;
  load<T>(key: string): T | undefined;
}

export interface OpOutcome {
  state: Exclude<OpState, 'running'>;
  error?: VsError;
}

/** What an operation does; `resumed` is true when it continues after a restart. */
export type OpBody = (ctx: OpContext, resumed: boolean) => Promise<OpOutcome>;

export class Journal {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS operations (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, started_at TEXT NOT NULL,
        finished_at TEXT, step TEXT NOT NULL DEFAULT '', error TEXT, request TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS events (
        operation_id TEXT NOT NULL, sequence INTEGER NOT NULL, time TEXT NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (operation_id, sequence));
      CREATE TABLE IF NOT EXISTS facts (
        operation_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (operation_id, key));`);
  }

  insert(row: OpRow): void {
    this.db
      .prepare(
        'INSERT INTO operations (id, kind, state, started_at, finished_at, step, error, request) VALUES (@id, @kind, @state, @started_at, @finished_at, @step, @error, @request)',
      )
      .run(row);
  }

  update(id: string, fields: Partial<Pick<OpRow, 'state' | 'finished_at' | 'step' | 'error'>>): void {
    const sets = Object.keys(fields)
      .map((k) => `${k} = @${k}`)
      .join(', ');
    this.db.prepare(`UPDATE operations SET ${sets} WHERE id = @id`).run({ ...fields, id });
  }

  get(id: string): OpRow | undefined {
    return this.db.prepare('SELECT * FROM operations WHERE id = ?').get(id) as OpRow | undefined;
  }

  list(limit: number): OpRow[] {
    return this.db
      .prepare('SELECT * FROM operations ORDER BY started_at DESC, rowid DESC LIMIT ?')
      .all(limit) as OpRow[];
  }

  running(): OpRow[] {
    return this.db.prepare("SELECT * FROM operations WHERE state = 'running' ORDER BY started_at").all() as OpRow[];
  }

  addEvent(id: string, time: string, body: OpEvent): number {
    const next = (
      this.db.prepare('SELECT coalesce(max(sequence), 0) + 1 AS n FROM events WHERE operation_id = ?').get(id) as {
        n: number;
      }
    ).n;
    this.db
      .prepare('INSERT INTO events (operation_id, sequence, time, body) VALUES (?, ?, ?, ?)')
      .run(id, next, time, JSON.stringify(body));
    return next;
  }

  events(id: string, after: number): OperationEvent[] {
    const rows = this.db
      .prepare('SELECT sequence, time, body FROM events WHERE operation_id = ? AND sequence > ? ORDER BY sequence')
      .all(id, after) as Array<{ sequence: number; time: string; body: string }>;
    return rows.map((r) => ({
      ...(JSON.parse(r.body) as OpEvent),
      sequence: String(r.sequence),
      operationId: id,
      time: r.time,
    }));
  }

  save(id: string, key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO facts (operation_id, key, value) VALUES (?, ?, ?) ON CONFLICT (operation_id, key) DO UPDATE SET value = excluded.value',
      )
      .run(id, key, JSON.stringify(value));
  }

  load<T>(id: string, key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM facts WHERE operation_id = ? AND key = ?').get(id, key) as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  close(): void {
    this.db.close();
  }
}

function toOperation(r: OpRow): Operation {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    startedAt: r.started_at,
    finishedAt: r.finished_at ?? '',
    step: r.step,
    ...(r.error ? { error: JSON.parse(r.error) as Operation['error'] } : {}),
  };
}

// Table progress arrives many times a second; the journal keeps one per table per interval.
const TABLE_EVENT_MS = 500;

export class Operations {
  readonly journal: Journal;
  private readonly live = new EventEmitter();
  private current: { id: string; stop: 'cancel' | 'shutdown' | null; done: Promise<void> } | null = null;
  private readonly lastTableEvent = new Map<string, number>();

  constructor(
    private readonly stateDir: string,
    private readonly log: Logger,
  ) {
    mkdirSync(join(stateDir, 'runs'), { recursive: true, mode: 0o700 });
    this.journal = new Journal(join(stateDir, 'journal.db'));
    this.live.setMaxListeners(0);
  }

  runDir(id: string): string {
    return join(this.stateDir, 'runs', id);
  }

  get(id: string): Operation {
    const row = this.journal.get(id);
    if (!row) throw new VsError('VS_ERR_NOT_FOUND', `no operation ${id}`, { details: { id } });
    return toOperation(row);
  }

  list(limit: number): Operation[] {
    return this.journal.list(limit).map(toOperation);
  }

  /** The newest migration that succeeded, the default run of rollback and verify. */
  lastSucceededMigration(): string | undefined {
    return this.list(200).find((o) => o.kind === 'migrate' && o.state === 'succeeded')?.id;
  }

  /** The operation running in this process, if any. */
  get running(): Operation | null {
    return this.current ? this.get(this.current.id) : null;
  }

  /** Operations a previous process left running: to resume. */
  interrupted(): Array<{ id: string; kind: OpKind; request: unknown }> {
    return this.journal.running().map((r) => ({ id: r.id, kind: r.kind, request: JSON.parse(r.request) as unknown }));
  }

  /** Start a new operation, or refuse while one runs. */
  start(kind: OpKind, request: unknown, body: OpBody): Operation {
    this.refuseIfBusy();
    const id = `${kind}-${backupStamp(new Date())}-${randomBytes(2).toString('hex')}`;
    this.journal.insert({
      id,
      kind,
      state: 'running',
      started_at: new Date().toISOString(),
      finished_at: null,
      step: '',
      error: null,
      request: JSON.stringify(request ?? {}),
    });
    mkdirSync(this.runDir(id), { recursive: true, mode: 0o700 });
    this.launch(id, request, body, false);
    return this.get(id);
  }

  /** Continue an operation the previous process left running. */
  resume(id: string, request: unknown, body: OpBody): void {
    this.refuseIfBusy();
    mkdirSync(this.runDir(id), { recursive: true, mode: 0o700 });
    this.launch(id, request, body, true);
  }

  private refuseIfBusy(): void {
    if (!this.current) return;
    const op = this.get(this.current.id);
    throw new VsError(
      'VS_ERR_OPERATION_RUNNING',
      `operation ${op.id} (${op.kind}) is running${op.step ? `, at step ${op.step}` : ''}; one at a time`,
      {
        details: { id: this.current.id },
      },
    );
  }

  private launch(id: string, request: unknown, body: OpBody, resumed: boolean): void {
    const entry: { id: string; stop: 'cancel' | 'shutdown' | null; done: Promise<void> } = {
      id,
      stop: null,
      done: Promise.resolve(),
    };
    const ctx: OpContext = {
      id,
      runDir: this.runDir(id),
      request,
      emit: (e) => this.emit(id, e),
      step: async (name, fn, detail) => {
        this.journal.update(id, { step: name });
        this.emit(id, { step: { name, state: 'started', seconds: 0 } });
        const t0 = Date.now();
        try {
          const out = await fn();
          this.emit(id, {
            step: { name, state: 'finished', seconds: (Date.now() - t0) / 1000, detail: detail?.(out) ?? '' },
          });
          return out;
        } catch (err) {
          this.emit(id, {
            step: { name, state: 'failed', seconds: (Date.now() - t0) / 1000, detail: toVsError(err).message },
          });
          throw err;
        }
      },
      log: (level, message) => {
        this.log[level]({ operation: id }, message);
        this.emit(id, { log: { level, message } });
      },
      stopRequested: () => entry.stop !== null,
      stopReason: () => entry.stop,
      proceedRequested: () => this.journal.load(id, 'proceed') === true,
      save: (key, value) => this.journal.save(id, key, value),
      load: (key) => this.journal.load(id, key),
    };
    this.current = entry;
    this.log.info({ operation: id, resumed }, resumed ? 'operation resumed' : 'operation started');
    entry.done = body(ctx, resumed)
      .catch((err: unknown): OpOutcome => {
        const vs = toVsError(err);
        if (vs.code === 'VS_ERR_INTERNAL') this.log.error({ operation: id, err }, 'operation failed unexpectedly');
        return { state: 'failed', error: vs };
      })
      .then((outcome) => {
        // Asked to stop for a shutdown, the operation stays `running` in the journal: the next start resumes it.
        if (entry.stop === 'shutdown' && outcome.error?.code === 'VS_ERR_CANCELLED') {
          this.log.info({ operation: id }, 'operation paused for shutdown; it resumes at the next start');
          return;
        }
        this.journal.update(id, {
          state: outcome.state,
          finished_at: new Date().toISOString(),
          error: outcome.error ? JSON.stringify(outcome.error.toInfo()) : null,
        });
        const op = this.get(id);
        this.emit(id, { finished: op });
        this.log.info({ operation: id, state: outcome.state, errCode: outcome.error?.code }, 'operation finished');
      })
      .finally(() => {
        if (this.current === entry) this.current = null;
        this.live.emit(`end:${id}`);
      });
  }

  /** Every event of every operation, as it happens (before the journal's thinning of progress events). */
  onEvent(listener: (id: string, e: OpEvent) => void): void {
    this.live.on('*', listener);
  }

  private emit(id: string, e: OpEvent): void {
    this.live.emit('*', id, e);
    if (e.table) {
      const key = `${id}:${e.table.table}`;
      const now = Date.now();
      const last = this.lastTableEvent.get(key) ?? 0;
      const final = e.table.rowsDone === e.table.rowsTotal;
      if (!final && now - last < TABLE_EVENT_MS) return;
      this.lastTableEvent.set(key, now);
    }
    const time = new Date().toISOString();
    const sequence = this.journal.addEvent(id, time, e);
    this.live.emit(id, { ...e, sequence: String(sequence), operationId: id, time });
  }

  /**
   * Every event after `after`, then live ones until the operation ends. The
   * journal is read after subscribing, so nothing falls in between.
   */
  watch(id: string, after: number, onEvent: (e: OperationEvent) => void, onEnd: () => void): () => void {
    this.get(id);
    let last = after;
    const queue: OperationEvent[] = [];
    let replaying = true;
    const deliver = (e: OperationEvent) => {
      if (Number(e.sequence) <= last) return;
      last = Number(e.sequence);
      onEvent(e);
    };
    const onLive = (e: OperationEvent) => (replaying ? queue.push(e) : deliver(e));
    const finish = () => {
      cleanup();
      onEnd();
    };
    const cleanup = () => {
      this.live.off(id, onLive);
      this.live.off(`end:${id}`, finish);
    };
    this.live.on(id, onLive);
    this.live.on(`end:${id}`, finish);
    for (const e of this.journal.events(id, after)) deliver(e);
    replaying = false;
    for (const e of queue) deliver(e);
    if (this.current?.id !== id) finish();
    return cleanup;
  }

  cancel(id: string): Operation {
    const op = this.get(id);
    if (this.current?.id === id && this.current.stop === null) {
      this.current.stop = 'cancel';
      this.emit(id, { log: { level: 'warn', message: 'cancel requested: stopping at the next safe point' } });
    }
    return op;
  }

  /** The go-ahead for an operation that waits for one (a migration paused before its freeze). */
  proceed(id: string): Operation {
    const op = this.get(id);
    if (op.state !== 'running')
      throw new VsError('VS_ERR_NOT_FOUND', `operation ${id} is not running (${op.state})`, { details: { id } });
    this.journal.save(id, 'proceed', true);
    this.emit(id, { log: { level: 'info', message: 'go-ahead given: the freeze starts after the current round' } });
    return op;
  }

  /** On SIGTERM: ask the running operation to pause at its next safe point and wait for it. */
  async pause(): Promise<void> {
    if (!this.current) return;
    if (this.current.stop === null) this.current.stop = 'shutdown';
    await this.current.done;
  }

  close(): void {
    this.journal.close();
  }
}

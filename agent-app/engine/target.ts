// The engine's side of PostgreSQL: the only engine module that imports `pg`.
//
// A run keeps its own state in the target, in schema "_vsmigrate": which source
// snapshot it copies (so a resume never mixes two snapshots), the rowid ranges
// of every table with the last rowid committed in each, and which schema and
// finishing steps are done. Each chunk of data commits in the same transaction
// as its checkpoint, so a run killed at any point resumes without duplicates or
// gaps. The schema is dropped once the database is complete and verified equal.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { VsError, fromPgError } from '../../shared/errors.js';
import { q } from './pg-ddl.js';
import type { NamedStatement } from './pg-ddl.js';

export type TargetConfig = pg.ClientConfig;

/**
 * `fn` on a connection of its own, ended after; a PostgreSQL error becomes our
 * error for `what` (fromPgError).
 */
export async function withTarget<T>(
  config: TargetConfig,
  what: string,
  fn: (c: pg.Client) => Promise<T>,
  settings: Record<string, string> = {},
): Promise<T> {
  const c = await connect(config, settings);
  try {
    return await fn(c);
  } catch (err) {
    throw fromPgError(err, what);
  } finally {
    await c.end().catch(() => {});
  }
}

/** Connection settings from a postgresql:// URL (pg's own parser); never logged. */
export function targetFromUrl(url: string): TargetConfig {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new VsError('VS_ERR_USAGE', '--database-url must be a postgresql:// URL');
  return { connectionString: url, application_name: 'vsmigrate' };
}

/** Connect, with session settings (`SET name = value` for this connection only). */
export async function connect(config: TargetConfig, settings: Record<string, string> = {}): Promise<pg.Client> {
  const client = new pg.Client(config);
  try {
    await client.connect();
    for (const [name, value] of Object.entries(settings))
      await client.query(`SELECT set_config($1, $2, false)`, [name, value]);
  } catch (err) {
    await client.end().catch(() => {});
    throw fromPgError(err, 'connect to the target database');
  }
  client.on('error', () => {}); // surfaced by the next query
  return client;
}

/** Session settings for building keys and indexes: sort in memory where it fits. */
export const BUILD_SETTINGS = { maintenance_work_mem: '256MB' };

export const STATE = '_vsmigrate';

export interface RunIdentity {
  sourceSha256: string;
  schemaSha256: string;
  planSha256: string;
}

export type TargetState =
  | { kind: 'empty' }
  /** A partial run of ours; `others` are the tables in "public" that run did not create. */
  | { kind: 'resumable'; run: RunIdentity; tables: string[]; others: string[] }
  | { kind: 'foreign'; tables: string[] };

/** What the target holds: nothing, a run of ours, or someone's data. */
export async function inspectTarget(c: pg.Client): Promise<TargetState> {
  const tables = (
    await c.query<{
      name: string;
    }>(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1`)
  ).rows.map((r) => r.name);
  const types = (
    await c.query(
      `SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e' LIMIT 1`,
    )
  ).rowCount;
  const hasState = (await c.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [STATE])).rowCount === 1;
  if (hasState) {
    const r = await c.query<{ source_sha256: string; schema_sha256: string; plan_sha256: string; tables?: string[] }>(
      `SELECT * FROM ${q(STATE)}.run`,
    );
    const row = r.rows[0];
    if (row) {
      // A state from before the run recorded its tables owns none of them: clearing it then needs a backup.
      const ours = new Set(row.tables ?? []);
      return {
        kind: 'resumable',
        run: { sourceSha256: row.source_sha256, schemaSha256: row.schema_sha256, planSha256: row.plan_sha256 },
        tables,
        others: tables.filter((t) => !ours.has(t)),
      };
    }
  }
  if (tables.length === 0 && !types) return { kind: 'empty' };
  return { kind: 'foreign', tables };
}

/** Remove every table, view, sequence and type from "public", and our state. Only after a backup. */
export async function clearTarget(c: pg.Client): Promise<void> {
  await c.query('BEGIN');
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${q(STATE)} CASCADE`);
    const rel = await c.query<{
      name: string;
      kind: string;
    }>(`SELECT c.relname AS name, c.relkind AS kind FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')`);
    for (const r of rel.rows.filter((x) => x.kind === 'v' || x.kind === 'm'))
      await c.query(`DROP ${r.kind === 'm' ? 'MATERIALIZED VIEW' : 'VIEW'} IF EXISTS public.${q(r.name)} CASCADE`);
    for (const r of rel.rows.filter((x) => x.kind === 'r' || x.kind === 'p'))
      await c.query(`DROP TABLE IF EXISTS public.${q(r.name)} CASCADE`);
    for (const r of rel.rows.filter((x) => x.kind === 'S'))
      await c.query(`DROP SEQUENCE IF EXISTS public.${q(r.name)} CASCADE`);
    const types = await c.query<{
      name: string;
    }>(`SELECT t.typname AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype IN ('e', 'c', 'd') AND NOT EXISTS (SELECT 1 FROM pg_class r WHERE r.reltype = t.oid)`);
    for (const t of types.rows) await c.query(`DROP TYPE IF EXISTS public.${q(t.name)} CASCADE`);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw fromPgError(err, 'clear the target');
  }
}

export interface Range {
  table: string;
  lo: number;
  hi: number;
  lastRowid: number;
  rows: number;
  bytes: number;
}

/**
 * Create the state schema, the enums and bare tables, and the ranges: one
 * transaction. The run records the tables it creates (and Prisma's
 * `_prisma_migrations`, which its baseline adds), so that clearing a partial
 * run later can tell its own tables from anyone else's.
 */
export async function createRun(
  c: pg.Client,
  run: RunIdentity,
  ddl: NamedStatement[],
  ranges: Array<{ table: string; lo: number; hi: number }>,
  tables: string[],
): Promise<void> {
  await c.query('BEGIN');
  try {
    await c.query(`CREATE SCHEMA ${q(STATE)}`);
    await c.query(`CREATE TABLE ${q(STATE)}.run (source_sha256 text NOT NULL, schema_sha256 text NOT NULL, plan_sha256 text NOT NULL,
      tables text[] NOT NULL, started_at timestamptz NOT NULL DEFAULT now())`);
    await c.query(
      `INSERT INTO ${q(STATE)}.run (source_sha256, schema_sha256, plan_sha256, tables) VALUES ($1, $2, $3, $4)`,
      [run.sourceSha256, run.schemaSha256, run.planSha256, [...tables, '_prisma_migrations']],
    );
    await c.query(`CREATE TABLE ${q(STATE)}.range (tbl text NOT NULL, lo bigint NOT NULL, hi bigint NOT NULL, last_rowid bigint NOT NULL,
      rows bigint NOT NULL DEFAULT 0, bytes bigint NOT NULL DEFAULT 0, PRIMARY KEY (tbl, lo))`);
    await c.query(
      `CREATE TABLE ${q(STATE)}.done (step text PRIMARY KEY, finished_at timestamptz NOT NULL DEFAULT now())`,
    );
    for (const s of ddl) await c.query(s.sql);
    for (const r of ranges)
      await c.query(`INSERT INTO ${q(STATE)}.range (tbl, lo, hi, last_rowid) VALUES ($1, $2, $3, $4)`, [
        r.table,
        r.lo,
        r.hi,
        r.lo - 1,
      ]);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw fromPgError(err, 'create the schema');
  }
}

export async function readRanges(c: pg.Client): Promise<Range[]> {
  const r = await c.query<{ tbl: string; lo: string; hi: string; last_rowid: string; rows: string; bytes: string }>(
    `SELECT * FROM ${q(STATE)}.range ORDER BY tbl, lo`,
  );
  return r.rows.map((x) => ({
    table: x.tbl,
    lo: Number(x.lo),
    hi: Number(x.hi),
    lastRowid: Number(x.last_rowid),
    rows: Number(x.rows),
    bytes: Number(x.bytes),
  }));
}

export async function doneSteps(c: pg.Client): Promise<Set<string>> {
  return new Set((await c.query<{ step: string }>(`SELECT step FROM ${q(STATE)}.done`)).rows.map((r) => r.step));
}

/** Run one DDL step and record it, atomically; a step already recorded is skipped. */
export async function runStep(c: pg.Client, step: NamedStatement): Promise<boolean> {
  await c.query('BEGIN');
  try {
    const done = await c.query(`SELECT 1 FROM ${q(STATE)}.done WHERE step = $1 FOR UPDATE`, [step.name]);
    if (done.rowCount) {
      await c.query('ROLLBACK');
      return false;
    }
    await c.query(step.sql);
    await c.query(`INSERT INTO ${q(STATE)}.done (step) VALUES ($1)`, [step.name]);
    await c.query('COMMIT');
    return true;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw fromPgError(err, `${step.name}`);
  }
}

/** VACUUM (ANALYZE) one table, outside a transaction as it must be, then record it. */
export async function vacuumAnalyze(c: pg.Client, table: string): Promise<void> {
  try {
    await c.query(`VACUUM (ANALYZE) ${q(table)}`);
    await c.query(`INSERT INTO ${q(STATE)}.done (step) VALUES ($1) ON CONFLICT DO NOTHING`, [`vacuum:${table}`]);
  } catch (err) {
    throw fromPgError(err, `VACUUM ANALYZE ${table}`);
  }
}

/** Set a serial column's sequence to max(max(id), the SQLite high-water mark). */
export async function setSequence(c: pg.Client, table: string, column: string, sqliteMark: bigint): Promise<string> {
  try {
    const r = await c.query<{ v: string }>(`SELECT COALESCE(MAX(${q(column)}), 0)::text AS v FROM ${q(table)}`);
    const high = BigInt(r.rows[0]!.v) > sqliteMark ? BigInt(r.rows[0]!.v) : sqliteMark;
    const seq = `pg_get_serial_sequence($1, $2)`;
    if (high > 0n) await c.query(`SELECT setval(${seq}, $3::bigint, true)`, [q(table), column, String(high)]);
    else await c.query(`SELECT setval(${seq}, 1, false)`, [q(table), column]);
    return String(high);
  } catch (err) {
    throw fromPgError(err, `set the sequence of ${table}.${column}`);
  }
}

export const PRISMA_MIGRATIONS_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Record the baseline migration as applied, the way `prisma migrate resolve --applied` would. */
export async function writeBaseline(c: pg.Client, migrationName: string, checksum: string, id: string): Promise<void> {
  try {
    await c.query(PRISMA_MIGRATIONS_DDL);
    await c.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       SELECT $1, $2, now(), $3::varchar, NULL, NULL, now(), 1 WHERE NOT EXISTS (SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $3::varchar)`,
      [id, checksum, migrationName],
    );
  } catch (err) {
    throw fromPgError(err, 'record the Prisma baseline');
  }
}

export async function dropState(c: pg.Client): Promise<void> {
  await c.query(`DROP SCHEMA IF EXISTS ${q(STATE)} CASCADE`);
}

/**
 * Writes one range of a table in chunks: each chunk is one transaction holding
 * a COPY and the range's new checkpoint, so what is committed and what the
 * checkpoint says never disagree.
 */
export class ChunkWriter {
  private stream: Writable | null = null;
  private failure: unknown = null;

  constructor(
    private readonly c: pg.Client,
    private readonly table: string,
    private readonly columns: string[],
    private readonly rangeLo: number,
    private readonly binary: { header: Buffer; trailer: Buffer } | null,
  ) {}

  async begin(): Promise<void> {
    await this.c.query('BEGIN');
    const format = this.binary ? ' WITH (FORMAT binary)' : '';
    const stream = this.c.query(
      copyFrom(`COPY ${q(this.table)} (${this.columns.map(q).join(', ')}) FROM STDIN${format}`),
    );
    stream.on('error', (err) => (this.failure = err));
    this.stream = stream;
    if (this.binary) await this.write(this.binary.header);
  }

  async write(data: string | Buffer): Promise<void> {
    if (this.failure) throw fromPgError(this.failure, `COPY into ${this.table}`);
    if (!this.stream!.write(data)) {
      await Promise.race([once(this.stream!, 'drain'), once(this.stream!, 'error')]);
      if (this.failure) throw fromPgError(this.failure, `COPY into ${this.table}`);
    }
  }

  /** End the COPY and commit it with the checkpoint (rows and bytes are this chunk's). */
  async commit(lastRowid: number, rows: number, bytes: number): Promise<void> {
    if (this.binary) await this.write(this.binary.trailer);
    const stream = this.stream!;
    this.stream = null;
    try {
      stream.end();
      await finished(stream);
      await this.c.query(
        `UPDATE ${q(STATE)}.range SET last_rowid = $3, rows = rows + $4, bytes = bytes + $5 WHERE tbl = $1 AND lo = $2`,
        [this.table, this.rangeLo, lastRowid, rows, bytes],
      );
      await this.c.query('COMMIT');
    } catch (err) {
      await this.c.query('ROLLBACK').catch(() => {});
      throw fromPgError(this.failure ?? err, `COPY into ${this.table}`);
    }
  }
}

/** Run fn over items, in order, on up to `jobs` connections at once (each takes the next item when free). */
export async function parallel<T>(
  items: T[],
  jobs: number,
  fn: (item: T, client: pg.Client) => Promise<void>,
  config: TargetConfig,
  settings?: Record<string, string>,
): Promise<void> {
  if (items.length === 0) return;
  const queue = [...items];
  const clients = await Promise.all(
    Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, () => connect(config, settings)),
  );
  try {
    await Promise.all(
      clients.map(async (c) => {
        for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item, c);
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

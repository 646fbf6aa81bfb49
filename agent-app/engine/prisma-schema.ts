// The app's schema.prisma, read with Prisma's own parser (@prisma/prisma-schema-wasm,
// get_dmmf) — never a hand-written one — and turned into the plain model the
// engine works from: tables, columns with their Prisma types, keys, indexes,
// foreign keys with their referential actions, and a load order.
//
// This is the only module that imports the wasm parser.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { VsError } from '../../shared/errors.js';

export type ScalarType = 'String' | 'Int' | 'BigInt' | 'Float' | 'Decimal' | 'Boolean' | 'DateTime' | 'Json' | 'Bytes';
export type ReferentialAction = 'Cascade' | 'Restrict' | 'NoAction' | 'SetNull' | 'SetDefault';

export interface Column {
  name: string;
  /** The Prisma scalar type, or 'Enum' with `enumName`. */
  type: ScalarType | 'Enum';
  enumName?: string;
  required: boolean;
  /** A database default, already in Prisma's terms. */
  default?:
    | { kind: 'now' }
    | { kind: 'autoincrement' }
    | { kind: 'literal'; value: string | number | boolean }
    | { kind: 'generated' } // cuid(), uuid(): made by the client, no database default
    | { kind: 'sql'; sql: string }; // dbgenerated("..."): the expression, as written
  updatedAt: boolean;
}

export interface IndexDef {
  name: string;
  columns: string[];
  unique: boolean;
}

export interface ForeignKey {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface Table {
  name: string;
  columns: Column[];
  primaryKey: { name: string; columns: string[] };
  indexes: IndexDef[];
  foreignKeys: ForeignKey[];
}

export interface Schema {
  provider: string;
  enums: Array<{ name: string; values: string[] }>;
  /** In schema order, as Prisma's own migrations list them. */
  tables: Table[];
  /** Table names in load order: every table after the tables it references (a cycle is broken where it closes). */
  loadOrder: string[];
}

interface DmmfField {
  name: string;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  dbName?: string | null;
  nativeType?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: ReferentialAction;
  relationOnUpdate?: ReferentialAction;
  relationName?: string;
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { name: string | null; fields: string[] } | null;
}

interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  name?: string | null;
  fields: Array<{ name: string }>;
}

interface Dmmf {
  datamodel: {
    enums: Array<{ name: string; dbName: string | null; values: Array<{ name: string; dbName: string | null }> }>;
    models: DmmfModel[];
    indexes: DmmfIndex[];
  };
}

const SCALARS = new Set<string>([
  'String',
  'Int',
  'BigInt',
  'Float',
  'Decimal',
  'Boolean',
  'DateTime',
  'Json',
  'Bytes',
]);

/** PostgreSQL's identifier limit, in bytes; Prisma shortens generated names to fit it. */
const MAX_IDENT = 63;

/** `s` cut to at most `bytes` UTF-8 bytes, at a character boundary. */
function floorBytes(s: string, bytes: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= bytes) return s;
  let end = bytes;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--; // a continuation byte: not a boundary
  return b.subarray(0, end).toString('utf8');
}

/**
 * Prisma's default constraint name, from the database names of the table and
 * columns: `{table}_pkey`, `{table}_{columns}_key|_idx|_fkey`. When the name
 * would reach the limit, the part before the suffix is cut to 63 bytes minus the
 * suffix's, at a character boundary. From prisma-engines,
 * psl/psl-core/src/datamodel_connector/constraint_names.rs (ConstraintNames:
 * primary_key_name, unique_index_name, non_unique_index_name,
 * foreign_key_constraint_name, floor_char_boundary); PostgreSQL's
 * max_identifier_length is 63.
 */
export function constraintName(table: string, columns: string[], suffix: 'key' | 'idx' | 'fkey' | 'pkey'): string {
  const base = suffix === 'pkey' ? table : `${table}_${columns.join('_')}`;
  const tail = `_${suffix}`;
  return floorBytes(base, MAX_IDENT - tail.length) + tail;
}

/**
 * Features whose columns or tables Prisma's DMMF leaves out although the
 * database has them (`@ignore`, `@@ignore`, `Unsupported(...)`): copying from
 * the DMMF would drop them silently, so they are refused by name.
 */
function unsupportedFeatures(text: string): string[] {
  const found: string[] = [];
  let model = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '');
    const m = /^\s*(?:model|view)\s+(\w+)/.exec(line);
    if (m) model = m[1]!;
    const field = /^\s*(\w+)\s/.exec(line)?.[1];
    if (/@@ignore\b/.test(line)) found.push(`model ${model}: @@ignore`);
    else if (/(^|[^@])@ignore\b/.test(line)) found.push(`${model}.${field}: @ignore`);
    if (/\bUnsupported\s*\(/.test(line)) found.push(`${model}.${field}: Unsupported(...)`);
  }
  return found;
}

type Wasm = { get_dmmf(params: string): string; get_config(params: string): string };

function wasm(): Wasm {
  // The package is CommonJS and loads its .wasm relative to itself.
  return createRequire(import.meta.url)('@prisma/prisma-schema-wasm') as Wasm;
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}

/** A model's fields by name, to map them to their database names. */
type FieldNames = Map<string, string>;

function column(model: string, f: DmmfField, enums: Map<string, DbEnum>): Column {
  if (f.isList)
    throw new VsError('VS_ERR_SCHEMA_UNSUPPORTED', `${model}.${f.name}: list fields (scalar arrays) are not supported`);
  if (f.nativeType)
    throw new VsError(
      'VS_ERR_SCHEMA_UNSUPPORTED',
      `${model}.${f.name}: native type attributes (@db.*) are not supported yet`,
    );
  // The database's names (@map, @@map) are the ones in both files: SQLite's and PostgreSQL's.
  const col: Column = {
    name: f.dbName ?? f.name,
    type: f.kind === 'enum' ? 'Enum' : (f.type as ScalarType),
    required: f.isRequired,
    updatedAt: f.isUpdatedAt,
  };
  const e = f.kind === 'enum' ? enums.get(f.type)! : undefined;
  if (e) col.enumName = e.dbName;
  else if (!SCALARS.has(f.type))
    throw new VsError('VS_ERR_SCHEMA_UNSUPPORTED', `${model}.${f.name}: type ${f.type} is not supported`);
  if (f.hasDefaultValue) {
    const d = f.default;
    if (typeof d === 'object' && d !== null && 'name' in d) {
      const { name: fn, args } = d as { name: string; args: unknown[] };
      if (fn === 'now') col.default = { kind: 'now' };
      else if (fn === 'autoincrement') col.default = { kind: 'autoincrement' };
      else if (fn === 'cuid' || fn === 'uuid' || fn === 'nanoid' || fn === 'ulid') col.default = { kind: 'generated' };
      else if (fn === 'dbgenerated' && typeof args[0] === 'string') col.default = { kind: 'sql', sql: args[0] };
      else throw new VsError('VS_ERR_SCHEMA_UNSUPPORTED', `${model}.${f.name}: default ${fn}() is not supported`);
    } else if (typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean') {
      // An enum's default names a value; the database holds that value's mapped name.
      col.default = { kind: 'literal', value: e && typeof d === 'string' ? (e.values.get(d) ?? d) : d };
    }
  }
  return col;
}

interface DbEnum {
  dbName: string;
  /** Each value's name in the schema → its name in the database (@map). */
  values: Map<string, string>;
}

function loadOrder(tables: Table[]): string[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const placed = new Set<string>();
  const out: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: Table) => {
    if (placed.has(t.name) || visiting.has(t.name)) return; // a cycle: constraints come after the data anyway
    visiting.add(t.name);
    for (const fk of t.foreignKeys) if (fk.refTable !== t.name) visit(byName.get(fk.refTable)!);
    visiting.delete(t.name);
    placed.add(t.name);
    out.push(t.name);
  };
  for (const t of tables) visit(t);
  return out;
}

/** Build the engine's schema model from schema.prisma text. */
export function parseSchema(text: string, source = 'schema.prisma'): Schema {
  let dmmf: Dmmf;
  let provider = '';
  try {
    dmmf = JSON.parse(wasm().get_dmmf(JSON.stringify({ prismaSchema: text }))) as Dmmf;
    const config = JSON.parse(
      wasm().get_config(
        JSON.stringify({ prismaSchema: text, datasourceOverrides: {}, ignoreEnvVarErrors: true, env: {} }),
      ),
    ) as {
      config: { datasources: Array<{ provider: string }> };
    };
    provider = config.config.datasources[0]?.provider ?? '';
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    let message = raw;
    try {
      message = (JSON.parse(raw) as { message: string }).message;
    } catch {
      // not JSON
    }
    throw new VsError(
      'VS_ERR_SCHEMA_INVALID',
      `${source}: Prisma's parser rejected the schema:\n${stripAnsi(message)}`,
      { cause: err },
    );
  }
  const dm = dmmf.datamodel;
  const ignored = unsupportedFeatures(text);
  if (ignored.length > 0)
    throw new VsError(
      'VS_ERR_SCHEMA_UNSUPPORTED',
      `${source}: ${ignored.join('; ')}: Prisma's model of the schema leaves these out, so they cannot be copied`,
    );
  const enums = new Map<string, DbEnum>(
    dm.enums.map((e) => [
      e.name,
      { dbName: e.dbName ?? e.name, values: new Map(e.values.map((v) => [v.name, v.dbName ?? v.name])) },
    ]),
  );
  const models = new Map(dm.models.map((m) => [m.name, m]));
  const tableOf = (model: string) => models.get(model)!.dbName ?? model;
  const fieldNames = (model: string): FieldNames =>
    new Map(models.get(model)!.fields.map((f) => [f.name, f.dbName ?? f.name]));

  const tables: Table[] = dm.models.map((m) => {
    const table = tableOf(m.name);
    const names = fieldNames(m.name);
    const db = (fields: string[]) => fields.map((f) => names.get(f) ?? f);
    const columns = m.fields
      .filter((f) => f.kind === 'scalar' || f.kind === 'enum')
      .map((f) => column(m.name, f, enums));
    const modelIndexes = dm.indexes.filter((i) => i.model === m.name);
    const idIndex = modelIndexes.find((i) => i.type === 'id');
    if (!idIndex) throw new VsError('VS_ERR_SCHEMA_UNSUPPORTED', `model ${m.name} has no @id or @@id`);
    const pkColumns = db(idIndex.fields.map((f) => f.name));
    const indexes: IndexDef[] = modelIndexes
      .filter((i) => i.type === 'unique' || i.type === 'normal')
      .map((i) => {
        const cols = db(i.fields.map((f) => f.name));
        const unique = i.type === 'unique';
        return { name: i.dbName ?? constraintName(table, cols, unique ? 'key' : 'idx'), columns: cols, unique };
      });
    const foreignKeys: ForeignKey[] = m.fields
      .filter((f) => f.kind === 'object' && f.relationFromFields && f.relationFromFields.length > 0)
      .map((f) => {
        const cols = db(f.relationFromFields!);
        const optional = cols.some((c) => !columns.find((col) => col.name === c)!.required);
        const ref = fieldNames(f.type);
        return {
          name: constraintName(table, cols, 'fkey'),
          columns: cols,
          refTable: tableOf(f.type),
          refColumns: f.relationToFields!.map((r) => ref.get(r) ?? r),
          // Prisma's defaults: RESTRICT for a required relation, SET NULL for an optional one; ON UPDATE CASCADE.
          onDelete: f.relationOnDelete ?? (optional ? 'SetNull' : 'Restrict'),
          onUpdate: f.relationOnUpdate ?? 'Cascade',
        };
      });
    return {
      name: table,
      columns,
      primaryKey: { name: idIndex.dbName ?? constraintName(table, pkColumns, 'pkey'), columns: pkColumns },
      indexes,
      foreignKeys,
    };
  });
  tables.push(...implicitManyToMany(dm, tables, tableOf));

  return {
    provider,
    enums: dm.enums.map((e) => ({ name: enums.get(e.name)!.dbName, values: [...enums.get(e.name)!.values.values()] })),
    tables,
    loadOrder: loadOrder(tables),
  };
}

/**
 * The join tables of implicit many-to-many relations (a list relation field on
 * both sides, neither with `fields:`), as Prisma 6 creates them on PostgreSQL:
 * `_{relation name}` with columns "A" (the id of the model whose name comes
 * first in alphabetical order) and "B", primary key `_{name}_AB_pkey` ("A","B"),
 * index `_{name}_B_index` on "B", and foreign keys `_{name}_A_fkey` and
 * `_{name}_B_fkey` ON DELETE CASCADE ON UPDATE CASCADE. From prisma-engines:
 * psl/parser-database/src/walkers/relation/implicit_many_to_many.rs (model_a,
 * model_b) and the SQL schema connector's rendering of such a relation (its
 * migrations print exactly these names). On SQLite, Prisma 6 keeps a unique
 * index `_{name}_AB_unique` where PostgreSQL has the primary key.
 */
function implicitManyToMany(dm: Dmmf['datamodel'], tables: Table[], tableOf: (model: string) => string): Table[] {
  const seen = new Set<string>();
  const out: Table[] = [];
  for (const m of dm.models)
    for (const f of m.fields) {
      if (f.kind !== 'object' || !f.isList || f.relationFromFields?.length || !f.relationName) continue;
      const other = dm.models
        .find((o) => o.name === f.type)!
        .fields.find((g) => g !== f && g.relationName === f.relationName && g.kind === 'object');
      if (!other?.isList || seen.has(f.relationName)) continue;
      seen.add(f.relationName);
      const [a, b] = [m.name, f.type].sort();
      const idOf = (model: string): Column => {
        const t = tables.find((x) => x.name === tableOf(model))!;
        if (t.primaryKey.columns.length !== 1)
          throw new VsError(
            'VS_ERR_SCHEMA_UNSUPPORTED',
            `relation ${f.relationName}: a many-to-many relation to ${model}, whose @@id has several fields`,
          );
        return t.columns.find((c) => c.name === t.primaryKey.columns[0])!;
      };
      const name = `_${f.relationName}`;
      const side = (col: 'A' | 'B', model: string): [Column, ForeignKey] => {
        const id = idOf(model);
        return [
          { name: col, type: id.type, required: true, updatedAt: false },
          {
            name: `${name}_${col}_fkey`,
            columns: [col],
            refTable: tableOf(model),
            refColumns: [id.name],
            onDelete: 'Cascade',
            onUpdate: 'Cascade',
          },
        ];
      };
      const [colA, fkA] = side('A', a!);
      const [colB, fkB] = side('B', b!);
      out.push({
        name,
        columns: [colA, colB],
        primaryKey: { name: `${name}_AB_pkey`, columns: ['A', 'B'] },
        indexes: [{ name: `${name}_B_index`, columns: ['B'], unique: false }],
        foreignKeys: [fkA, fkB],
      });
    }
  return out;
}

/** A schema.prisma file's text (the baseline's checksum is over it) and what it declares. */
export async function readSchemaSource(path: string): Promise<{ text: string; schema: Schema }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new VsError(
      'VS_ERR_SCHEMA_INVALID',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
  return { text, schema: parseSchema(text, path) };
}

export async function readSchemaFile(path: string): Promise<Schema> {
  return (await readSchemaSource(path)).schema;
}

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
    | { kind: 'generated' }; // cuid(), uuid(): made by the client, no database default
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

/** PostgreSQL's identifier limit; Prisma shortens generated names to fit it. */
const MAX_IDENT = 63;

/** Prisma's generated constraint name: `{table}_{columns}_{suffix}`, shortened to fit. */
export function constraintName(table: string, columns: string[], suffix: 'key' | 'idx' | 'fkey' | 'pkey'): string {
  const base = suffix === 'pkey' ? table : `${table}_${columns.join('_')}`;
  const tail = `_${suffix}`;
  return base.length + tail.length > MAX_IDENT ? base.slice(0, MAX_IDENT - tail.length) + tail : base + tail;
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

function column(model: string, f: DmmfField): Column {
  if (f.isList)
    throw new VsError('VS_ERR_SCHEMA_UNSUPPORTED', `${model}.${f.name}: list fields (scalar arrays) are not supported`);
  if (f.dbName) throw new VsError('VS_ERR_SCHEMA_UNSUPPORTED', `${model}.${f.name}: @map is not supported yet`);
  if (f.nativeType)
    throw new VsError(
      'VS_ERR_SCHEMA_UNSUPPORTED',
      `${model}.${f.name}: native type attributes (@db.*) are not supported yet`,
    );
  const col: Column = {
    name: f.name,
    type: f.kind === 'enum' ? 'Enum' : (f.type as ScalarType),
    required: f.isRequired,
    updatedAt: f.isUpdatedAt,
  };
  if (f.kind === 'enum') col.enumName = f.type;
  else if (!SCALARS.has(f.type))
    throw new VsError('VS_ERR_SCHEMA_UNSUPPORTED', `${model}.${f.name}: type ${f.type} is not supported`);
  if (f.hasDefaultValue) {
    const d = f.default;
    if (typeof d === 'object' && d !== null && 'name' in d) {
      const fn = (d as { name: string }).name;
      if (fn === 'now') col.default = { kind: 'now' };
      else if (fn === 'autoincrement') col.default = { kind: 'autoincrement' };
      else if (fn === 'cuid' || fn === 'uuid' || fn === 'nanoid' || fn === 'ulid') col.default = { kind: 'generated' };
      else throw new VsError('VS_ERR_SCHEMA_UNSUPPORTED', `${model}.${f.name}: default ${fn}() is not supported`);
    } else if (typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean') {
      col.default = { kind: 'literal', value: d };
    }
  }
  return col;
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
  for (const e of dm.enums) {
    if (e.dbName || e.values.some((v) => v.dbName))
      throw new VsError('VS_ERR_SCHEMA_UNSUPPORTED', `enum ${e.name}: @map/@@map is not supported yet`);
  }

  const tables: Table[] = dm.models.map((m) => {
    if (m.dbName) throw new VsError('VS_ERR_SCHEMA_UNSUPPORTED', `model ${m.name}: @@map is not supported yet`);
    const columns = m.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum').map((f) => column(m.name, f));
    const modelIndexes = dm.indexes.filter((i) => i.model === m.name);
    const idIndex = modelIndexes.find((i) => i.type === 'id');
    if (!idIndex) throw new VsError('VS_ERR_SCHEMA_UNSUPPORTED', `model ${m.name} has no @id or @@id`);
    const pkColumns = idIndex.fields.map((f) => f.name);
    const indexes: IndexDef[] = modelIndexes
      .filter((i) => i.type === 'unique' || i.type === 'normal')
      .map((i) => {
        const cols = i.fields.map((f) => f.name);
        const unique = i.type === 'unique';
        return { name: i.dbName ?? constraintName(m.name, cols, unique ? 'key' : 'idx'), columns: cols, unique };
      });
    const foreignKeys: ForeignKey[] = m.fields
      .filter((f) => f.kind === 'object' && f.relationFromFields && f.relationFromFields.length > 0)
      .map((f) => {
        const cols = f.relationFromFields!;
        const optional = cols.some((c) => !columns.find((col) => col.name === c)!.required);
        return {
          name: constraintName(m.name, cols, 'fkey'),
          columns: cols,
          refTable: f.type,
          refColumns: f.relationToFields!,
          // Prisma's defaults: RESTRICT for a required relation, SET NULL for an optional one; ON UPDATE CASCADE.
          onDelete: f.relationOnDelete ?? (optional ? 'SetNull' : 'Restrict'),
          onUpdate: f.relationOnUpdate ?? 'Cascade',
        };
      });
    return {
      name: m.name,
      columns,
      primaryKey: { name: idIndex.dbName ?? constraintName(m.name, pkColumns, 'pkey'), columns: pkColumns },
      indexes,
      foreignKeys,
    };
  });

  return {
    provider,
    enums: dm.enums.map((e) => ({ name: e.name, values: e.values.map((v) => v.name) })),
    tables,
    loadOrder: loadOrder(tables),
  };
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

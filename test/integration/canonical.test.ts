// The canonical forms agree across the two sides for edge values: computed in
// TypeScript from a source value, and by SQL on a real PostgreSQL server from
// the stored value.
import test from 'ava';
import {
  CANONICAL_SETTINGS,
  canonicalSql,
  canonicalValue,
  rowHash,
  rowText,
  rowTextSql,
  rowHashSql,
} from '../../agent-app/engine/canonical.js';
import { connect, targetFromUrl } from '../../agent-app/engine/target.js';
import type { Column } from '../../agent-app/engine/prisma-schema.js';
import type { SqliteValue } from '../../agent-app/engine/convert.js';
import type { PgCluster } from '../harness/postgres.js';
import { startCluster, trackWith } from '../harness/stage.js';

const tracker = trackWith(test);
let pg: PgCluster;

test.before(async () => {
  pg = await startCluster('canonical', tracker);
});

/** A query in a session set up as the verification's (the engine's connect, with its settings). */
async function query<R extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
  const c = await connect(targetFromUrl(pg.url('postgres')), CANONICAL_SETTINGS);
  try {
    return (await c.query<R>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

const col = (type: Column['type']): Column => ({ name: 'v', type, required: false, updatedAt: false });
const PG_TYPE: Record<string, string> = {
  Float: 'double precision',
  BigInt: 'bigint',
  Int: 'integer',
  Json: 'jsonb',
  String: 'text',
  DateTime: 'timestamp(3)',
  Boolean: 'boolean',
  Decimal: 'decimal(65,30)',
  Bytes: 'bytea',
};

// [type, the source value, the same value as PostgreSQL input]
const CASES: Array<[Column['type'], SqliteValue, string]> = [
  ['Float', -0, "'-0'"],
  ['Float', 0, "'0'"],
  ['Float', 1e308, "'1e308'"],
  ['Float', 5e-324, "'5e-324'"],
  ['Float', NaN, "'NaN'"],
  ['Float', Infinity, "'Infinity'"],
  ['Float', 0.1, "'0.1'"],
  ['BigInt', 9223372036854775807n, "'9223372036854775807'"],
  ['BigInt', -9223372036854775808n, "'-9223372036854775808'"],
  ['Int', -2147483648n, "'-2147483648'"],
  ['DateTime', 1700000000123n, "'2023-11-14 22:13:20.123'"],
  ['DateTime', 1700000000000n, "'2023-11-14 22:13:20'"],
  ['DateTime', 1700000000120n, "'2023-11-14 22:13:20.12'"],
  ['DateTime', -62198755199500n, "'0002-01-01 00:00:00.5 BC'"],
  ['DateTime', 253402300800000n, "'10000-01-01 00:00:00'"],
  ['DateTime', '2024-01-02T05:04:05.678+02:00', "'2024-01-02 03:04:05.678'"],
  ['Boolean', 1n, 'true'],
  ['Boolean', 'false', 'false'],
  ['Decimal', 7n, "'7'"],
  ['Decimal', 0.5, "'0.5'"],
  ['Decimal', '12.3400', "'12.34'"],
  ['String', '', "''"],
  [
    'String',
    'é 中 😀 \u{10FFFF} \u{1F600}\u{E0001} tab\there "q" \\ back',
    `E'é 中 😀 \\U0010FFFF \\U0001F600\\U000E0001 tab\\there "q" \\\\ back'`,
  ],
  [
    'Json',
    '{"b": 1, "a": [1.50, 1e2, -0, 0.000001, 12345678901234567890123], "aa": {"z": null, "y": true}}',
    `'{"aa": {"y": true, "z": null}, "b": 1, "a": [1.50, 1e2, -0, 0.000001, 12345678901234567890123]}'`,
  ],
  ['Json', '{"k": 1, "k": 2}', `'{"k": 2}'`],
  ['Json', '"\\u00e9\\ud83d\\ude00 \\u0001 \\n \\" \\\\ /"', `'"é😀 \\u0001 \\n \\" \\\\ /"'`],
  ['Json', '42', `'42'`],
  ['Json', '[]', `'[]'`],
  ['Json', `{"big": "${'x'.repeat(1_000_000)}"}`, `'{"big": "${'x'.repeat(1_000_000)}"}'`],
  ['Bytes', Buffer.from([0, 255, 16]), `'\\x00ff10'`],
];

test('each edge value has the same canonical text on both sides', async (t) => {
  for (const [type, source, sql] of CASES) {
    const c = col(type);
    const [row] = await query<{ v: string | null }>(
      `SELECT ${canonicalSql(c, 'x.')} AS v FROM (SELECT ${sql}::${PG_TYPE[type]} AS v) x`,
    );
    const label = `${type} ${typeof source === 'string' ? source.slice(0, 60) : String(source)}`;
    t.is(canonicalValue(c, source), row!.v, label);
  }
});

test('empty string and NULL stay apart, and row hashes agree', async (t) => {
  const cols: Column[] = [
    { ...col('String'), name: 'a' },
    { ...col('String'), name: 'b' },
  ];
  const [row] = await query<{ t: string; h: string }>(
    `SELECT ${rowTextSql(cols, 'x.')} AS t, ${rowHashSql(cols, 'x.')}::text AS h FROM (SELECT ''::text AS a, NULL::text AS b) x`,
  );
  const text = rowText([canonicalValue(cols[0]!, ''), canonicalValue(cols[1]!, null)]);
  t.is(text, '("",)');
  t.is(row!.t, text);
  t.is(row!.h, String(rowHash(text)));
  t.not(rowText(['', null]), rowText([null, '']));
});

test('rows of every edge value print and hash alike on both sides', async (t) => {
  // Each edge value between a String holding what record_out must quote and a NULL.
  const specials = ['', ' ', 'a,b', '(x)', 'say "hi"', 'back\\slash', 'tab\tnl\nvt\vff\fcr\r', 'plain', 'é中😀'];
  for (const [i, [type, source, sql]] of CASES.entries()) {
    const cols: Column[] = [{ ...col('String'), name: 's' }, col(type), { ...col('Int'), name: 'n' }];
    const s = specials[i % specials.length]!;
    const [row] = await query<{ t: string; h: string }>(
      `SELECT ${rowTextSql(cols, 'x.')} AS t, ${rowHashSql(cols, 'x.')}::text AS h FROM (SELECT $1::text AS s, ${sql}::${PG_TYPE[type]} AS v, NULL::integer AS n) x`,
      [s],
    );
    const text = rowText([s, canonicalValue(cols[1]!, source), null]);
    const label = `${type} ${typeof source === 'string' ? source.slice(0, 60) : String(source)} after ${JSON.stringify(s)}`;
    t.is(text, row!.t, label);
    t.is(String(rowHash(text)), row!.h, label);
  }
});

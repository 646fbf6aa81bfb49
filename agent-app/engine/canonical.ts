// The canonical text of a value, per Prisma type, for verification: computed in
// TypeScript from the SQLite value (after the conversion rules and any repair),
// and by SQL on the PostgreSQL server from what it stores, so that nothing is
// read back through the tunnel. Equal canonical text means equal value.
//
//   DateTime  YYYY-MM-DD HH:MM:SS.mmm (UTC)       to_char(...)
//   Boolean   t | f                               CASE
//   Int, BigInt  decimal                          ::text
//   Float     the IEEE-754 bits as hex            encode(float8send(...), 'hex')
//   Decimal   decimal without trailing zeros      trim_scale(...)::text
//   Json      jsonb's own text form                ::text
//   enum, String  the text                        ::text
//   Bytes     hex                                 encode(..., 'hex')
//
// A row is its fields as `<octets>:<text>` (NULL as `~`) joined by commas, and
// its hash the first 64 bits of the md5 of that, as a signed integer.
import { hash } from 'node:crypto';
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import type { LosslessNumber } from 'lossless-json';
import type { Column } from './prisma-schema.js';
import { msToTimestamp, parseDateText } from './convert.js';
import type { SqliteValue } from './convert.js';
import { q } from './pg-ddl.js';

// ---------------------------------------------------------------- JSON as jsonb prints it

/** A JSON number literal as PostgreSQL's numeric prints it (the literal's scale kept). */
export function numericText(literal: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) return literal;
  const [, sign, int, frac = '', exp = '0'] = m;
  const e = Number(exp);
  // Place the decimal point first, strip leading zeros after.
  let digits = int! + frac;
  let point = int!.length + e;
  const scale = Math.max(0, frac.length - e);
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits = digits.padEnd(point, '0');
  const intPart = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const fracPart = digits.slice(point).padEnd(scale, '0').slice(0, scale);
  const text = scale > 0 ? `${intPart}.${fracPart}` : intPart;
  return sign && /[1-9]/.test(text) ? `-${text}` : text;
}

// eslint-disable-next-line no-control-regex
const JSON_ESCAPE = /["\\\u0000-\u001f]/;

/** A string as PostgreSQL's escape_json writes it. */
function jsonString(s: string): string {
  if (!JSON_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/;

/** jsonb orders object keys by length in bytes, then bytewise. */
function jsonbKeyOrder(a: string, b: string): number {
  // For ASCII keys, length and code-unit order are byte length and byte order.
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length - bb.length || Buffer.compare(ab, bb);
}

/** jsonb's text of a parsed document; `number` prints a number as numeric would. */
function jsonbText(v: unknown, number: (n: unknown) => string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return jsonString(v);
    case 'number':
      return number(v);
  }
  if (isLosslessNumber(v)) return number(v);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ', ' : '') + jsonbText(v[i], number);
    return out + ']';
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort(jsonbKeyOrder);
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += `${i ? ', ' : ''}${jsonString(keys[i]!)}: ${jsonbText(obj[keys[i]!], number)}`;
  return out + '}';
}

// A number literal that a double would print differently from PostgreSQL's
// numeric: an exponent, trailing zeros in a fraction, many digits, or a tiny value.
const RISKY_NUMBER = /\d[eE]|\.\d*0(?![\d.])|\d{16,}|\.0{5,}/;
const losslessText = (n: unknown) => (typeof n === 'number' ? numericText(String(n)) : numericText((n as LosslessNumber).value));

/** JSON text as PostgreSQL prints the jsonb it becomes (keys ordered, last duplicate wins). */
export function canonicalJson(text: string): string {
  // The native parser is many times faster. Without a risky literal, a double
  // prints every number exactly as its literal (String(-0) is '0', as numeric's).
  if (!RISKY_NUMBER.test(text)) return jsonbText(JSON.parse(text), String);
  try {
    return jsonbText(parseLossless(text), losslessText);
  } catch (err) {
    // lossless-json refuses duplicate keys; jsonb keeps the last. JSON.parse does
    // too, at the price of numbers passing through doubles in that rare document.
    if (!(err instanceof SyntaxError && /Duplicate key/.test(err.message))) throw err;
    return jsonbText(JSON.parse(text), losslessText);
  }
}

// ---------------------------------------------------------------- values

const floatHex = (n: number) => {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(n);
  return b.toString('hex');
};

/** A decimal as trim_scale(numeric)::text prints it. */
export function canonicalDecimal(v: SqliteValue): string {
  const literal = typeof v === 'string' ? v.trim().replace(/^\+/, '') : typeof v === 'number' ? String(v) : String(v);
  const t = numericText(literal);
  return t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t;
}

/** The canonical text of a source value, or null. Values are those the conversion accepted (or a repair set). */
export function canonicalValue(c: Column, v: SqliteValue): string | null {
  if (v === null) return null;
  switch (c.type) {
    case 'DateTime': {
      const ms = typeof v === 'string' ? parseDateText(v)! : Number(v);
      return msToTimestamp(ms);
    }
    case 'Boolean':
      return v === 1n || v === 1 || v === 'true' ? 't' : 'f';
    case 'Int':
    case 'BigInt':
      return String(v);
    case 'Float':
      return floatHex(Number(v));
    case 'Decimal':
      return canonicalDecimal(v);
    case 'Json':
      return canonicalJson(typeof v === 'string' ? v : String(v));
    case 'Bytes':
      return Buffer.from(v as Uint8Array).toString('hex');
    case 'String':
    case 'Enum':
      return typeof v === 'string' ? v : String(v);
  }
}

/** The SQL expression of a column's canonical text on the server. */
export function canonicalSql(c: Column, alias = ''): string {
  const x = `${alias}${q(c.name)}`;
  switch (c.type) {
    case 'DateTime':
      return `to_char(${x}, 'YYYY-MM-DD HH24:MI:SS.MS')`;
    case 'Boolean':
      return `CASE WHEN ${x} THEN 't' WHEN NOT ${x} THEN 'f' END`;
    case 'Float':
      return `encode(float8send(${x}), 'hex')`;
    case 'Decimal':
      return `trim_scale(${x})::text`;
    case 'Bytes':
      return `encode(${x}, 'hex')`;
    default:
      return `${x}::text`;
  }
}

export function rowText(fields: Array<string | null>): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    out += `${i ? ',' : ''}${f === null ? '~' : `${Buffer.byteLength(f)}:${f}`}`;
  }
  return out;
}

/** The SQL expression of a row's canonical text. */
export function rowTextSql(columns: Column[], alias = ''): string {
  return `concat_ws(',', ${columns.map((c) => `coalesce(octet_length(${canonicalSql(c, alias)})::text || ':' || ${canonicalSql(c, alias)}, '~')`).join(', ')})`;
}

/** First 64 bits of md5, signed: summed per table, order does not matter. */
export function rowHash(text: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${hash('md5', text, 'hex').slice(0, 16)}`));
}

export function rowHashSql(columns: Column[], alias = ''): string {
  return `('x' || substr(md5(${rowTextSql(columns, alias)}), 1, 16))::bit(64)::bigint`;
}

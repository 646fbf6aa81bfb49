// The canonical text of a value, per Prisma type, for verification: computed in
// TypeScript from the SQLite value (after the conversion rules and any repair),
// and by SQL on the PostgreSQL server from what it stores, so that nothing is
// read back through the tunnel. Equal canonical text means equal value.
//
//   DateTime  YYYY-MM-DD HH:MM:SS[.fff] (UTC)     ::text (DateStyle ISO)
//   Boolean   t | f                               CASE
//   Int, BigInt  decimal                          ::text
//   Float     the IEEE-754 bits as hex            encode(float8send(...), 'hex')
//   Decimal   decimal without trailing zeros      trim_scale(...)::text
//   Json      jsonb's own text form                ::text
//   enum, String  the text                        ::text
//   Bytes     hex                                 encode(..., 'hex')
//
// A row is its fields as PostgreSQL prints a record of them, `ROW(...)::text`
// (quoted where needed, NULL as nothing), and its hash is PostgreSQL's
// `hashtextextended` of that text, seed 0 (Bob Jenkins' lookup3, the 64-bit
// variant, implemented below). The server computes both in C: measured here,
// about half the time of md5 over concatenated fields.
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
  for (let i = 0; i < keys.length; i++)
    out += `${i ? ', ' : ''}${jsonString(keys[i]!)}: ${jsonbText(obj[keys[i]!], number)}`;
  return out + '}';
}

// A number literal that a double would print differently from PostgreSQL's
// numeric: an exponent, trailing zeros in a fraction, many digits, or a tiny value.
const RISKY_NUMBER = /\d[eE]|\.\d*0(?![\d.])|\d{16,}|\.0{5,}/;
const losslessText = (n: unknown) =>
  typeof n === 'number' ? numericText(String(n)) : numericText((n as LosslessNumber).value);

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

/** The session settings under which canonicalSql prints what canonicalValue does. */
export const CANONICAL_SETTINGS = { DateStyle: 'ISO, YMD' };

/** The canonical text of a source value, or null. Values are those the conversion accepted (or a repair set). */
export function canonicalValue(c: Column, v: SqliteValue): string | null {
  if (v === null) return null;
  switch (c.type) {
    case 'DateTime': {
      const ms = typeof v === 'string' ? parseDateText(v)! : Number(v);
      return msToTimestamp(ms, true);
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

// record_out quotes a field that is empty or holds any of these (isspace in C).
const NEEDS_QUOTES = /["\\(),\t\n\v\f\r ]/;
const HAS_QUOTED_CHARS = /["\\]/;
const QUOTED_CHARS = /["\\]/g;

/** A row's canonical text: its fields as PostgreSQL's record_out prints them. */
export function rowText(fields: Array<string | null>): string {
  let out = '(';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (i) out += ',';
    if (f === null) continue;
    out += f === '' || NEEDS_QUOTES.test(f) ? `"${f.replace(QUOTED_CHARS, '$&$&')}"` : f;
  }
  return out + ')';
}

/** The SQL expression of a row's canonical text. */
export function rowTextSql(columns: Column[], alias = ''): string {
  return `ROW(${columns.map((c) => canonicalSql(c, alias)).join(', ')})::text COLLATE "C"`;
}

/** The SQL expression of a row's hash: a bigint, summed per table (order does not matter). */
export function rowHashSql(columns: Column[], alias = ''): string {
  return `hashtextextended(${rowTextSql(columns, alias)}, 0)`;
}

// ---------------------------------------------------------------- hashtextextended

/**
 * The sum of row hashes, kept exact in two doubles (high words signed, low
 * words unsigned) instead of a BigInt per row.
 */
export class HashSum {
  n = 0;
  private hi = 0;
  private lo = 0;
  private scratch = Buffer.allocUnsafe(64 * 1024);

  /** Hash one row's canonical text and add it. */
  add(text: string): void {
    const len = this.room(0, text.length).write(text, 0);
    this.addHash(len);
  }

  /** Hash the row of these fields (the text rowText makes, written straight as UTF-8) and add it. */
  addRow(fields: Array<string | null>): void {
    let pos = 0;
    this.scratch[pos++] = 0x28; // (
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (i) this.room(pos, 1)[pos++] = 0x2c; // ,
      if (f === null) continue;
      // Room for every character doubled, three bytes each, and the quotes.
      const buf = this.room(pos, f.length * 2 + 2);
      if (f === '' || NEEDS_QUOTES.test(f)) {
        buf[pos++] = 0x22; // "
        pos += buf.write(HAS_QUOTED_CHARS.test(f) ? f.replace(QUOTED_CHARS, '$&$&') : f, pos);
        buf[pos++] = 0x22;
      } else {
        pos += buf.write(f, pos);
      }
    }
    this.room(pos, 1)[pos++] = 0x29; // )
    this.addHash(pos);
  }

  /** The scratch buffer, grown (keeping its first `used` bytes) to hold `chars` more UTF-16 code units as UTF-8. */
  private room(used: number, chars: number): Buffer {
    const need = used + chars * 3 + 1;
    if (need > this.scratch.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.scratch.length * 2));
      this.scratch.copy(bigger, 0, 0, used);
      this.scratch = bigger;
    }
    return this.scratch;
  }

  private addHash(len: number): void {
    lookup3(this.scratch, len);
    this.hi += HASH[0]! | 0;
    this.lo += HASH[1]!;
    // Carry before the low sum could pass 2^53.
    if (++this.n % 1_000_000 === 0) this.carry();
  }

  private carry(): void {
    const c = Math.floor(this.lo / 0x1_0000_0000);
    this.hi += c;
    this.lo -= c * 0x1_0000_0000;
  }

  get sum(): bigint {
    this.carry();
    return (BigInt(this.hi) << 32n) + BigInt(this.lo);
  }
}

/**
 * Texts whose hashes the verification compares with the server's before it
 * trusts any checksum: every tail length of lookup3, multi-byte characters.
 */
export const HASH_PROBES = [
  '',
  '(1,"x y",,t)',
  'é中😀',
  ...Array.from({ length: 25 }, (_, i) => 'abcdefghijklmnopqrstuvwxyz'.slice(0, i + 1)),
];

/** PostgreSQL's hashtextextended(text, 0) of a row's canonical text, as a signed 64-bit integer. */
export function rowHash(text: string): bigint {
  const s = new HashSum();
  s.add(text);
  return s.sum;
}

// The result of lookup3: the high and the low 32 bits.
const HASH = new Uint32Array(2);

const rot = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/**
 * PostgreSQL's hash_bytes_extended with seed 0 (src/common/hashfn.c), as it
 * runs on little-endian servers: lookup3 over 12-byte blocks read as three
 * little-endian words, the tail's bytes added into a, b and the upper three
 * bytes of c, then the final mix; the result is b:c.
 */
function lookup3(k: Uint8Array, length: number): void {
  let a = (0x9e3779b9 + length + 3923095) | 0;
  let b = a;
  let c = a;
  let i = 0;
  let len = length;
  while (len >= 12) {
    a = (a + (k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24))) | 0;
    b = (b + (k[i + 4]! | (k[i + 5]! << 8) | (k[i + 6]! << 16) | (k[i + 7]! << 24))) | 0;
    c = (c + (k[i + 8]! | (k[i + 9]! << 8) | (k[i + 10]! << 16) | (k[i + 11]! << 24))) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 4);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 6);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 8);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 19);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 4);
    b = (b + a) | 0;
    i += 12;
    len -= 12;
  }
  // The tail: bytes 0-3 into a, 4-7 into b, 8-10 into c shifted by one byte.
  if (len >= 11) c = (c + (k[i + 10]! << 24)) | 0;
  if (len >= 10) c = (c + (k[i + 9]! << 16)) | 0;
  if (len >= 9) c = (c + (k[i + 8]! << 8)) | 0;
  if (len >= 8) b = (b + (k[i + 7]! << 24)) | 0;
  if (len >= 7) b = (b + (k[i + 6]! << 16)) | 0;
  if (len >= 6) b = (b + (k[i + 5]! << 8)) | 0;
  if (len >= 5) b = (b + k[i + 4]!) | 0;
  if (len >= 4) a = (a + (k[i + 3]! << 24)) | 0;
  if (len >= 3) a = (a + (k[i + 2]! << 16)) | 0;
  if (len >= 2) a = (a + (k[i + 1]! << 8)) | 0;
  if (len >= 1) a = (a + k[i]!) | 0;
  c ^= b;
  c = (c - rot(b, 14)) | 0;
  a ^= c;
  a = (a - rot(c, 11)) | 0;
  b ^= a;
  b = (b - rot(a, 25)) | 0;
  c ^= b;
  c = (c - rot(b, 16)) | 0;
  a ^= c;
  a = (a - rot(c, 4)) | 0;
  b ^= a;
  b = (b - rot(a, 14)) | 0;
  c ^= b;
  c = (c - rot(b, 24)) | 0;
  HASH[0] = b;
  HASH[1] = c;
}

import test from 'ava';
import {
  Rejection,
  converterFor,
  copyText,
  floatText,
  msToTimestamp,
  parseDateText,
} from '../../agent-app/engine/convert.js';
import type { Column } from '../../agent-app/engine/prisma-schema.js';

const col = (type: Column['type'], required = false): Column => ({ name: 'c', type, required, updatedAt: false });

test('floats keep -0, NaN and the infinities, and round-trip exactly', (t) => {
  t.is(floatText(-0), '-0');
  t.is(floatText(NaN), 'NaN');
  t.is(floatText(-Infinity), '-Infinity');
  // The last literal has more digits than a double keeps, on purpose: it must still round-trip as the double it becomes.
  // eslint-disable-next-line no-loss-of-precision
  for (const x of [0.1, 1 / 3, 1e308, 5e-324, -2.5e-10, 123456789.123456789]) t.is(Number(floatText(x)), x);
});

test('COPY text escapes exactly backslash, tab, newline and carriage return', (t) => {
  t.is(copyText('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
  t.is(copyText('plain é 😀'), 'plain é 😀');
});

test('dates: accepted forms, and the ones refused', (t) => {
  t.is(msToTimestamp(parseDateText('0050-03-04 05:06:07')!), '0050-03-04 05:06:07.000', 'years below 100 are not 19xx');
  t.is(parseDateText('2024-01-02T03:04:05'), null, 'an ISO time with no zone is ambiguous');
  t.is(parseDateText('2023-02-29 00:00:00'), null);
  t.is(parseDateText('2024-01-02 24:00:00'), null);
  const conv = converterFor(col('DateTime'), undefined);
  t.true(conv(8_640_000_000_000_001n) instanceof Rejection);
  t.is(conv(0n), '1970-01-01 00:00:00.000');
});

test('a required column refuses NULL; an optional one writes \\N', (t) => {
  const req = converterFor(col('String', true), undefined)(null);
  t.true(req instanceof Rejection && req.rule === 'null-in-required');
  t.is(converterFor(col('String'), undefined)(null), '\\N');
});

test('Int refuses what int4 cannot hold unless widened', (t) => {
  const r = converterFor(col('Int'), undefined)(2147483648n);
  t.true(r instanceof Rejection && r.rule === 'int-overflow');
  t.is(converterFor(col('Int'), undefined, { widened: true })(6442450944n), '6442450944');
});

test('JSON PostgreSQL cannot store is refused before the copy', (t) => {
  const conv = converterFor(col('Json'), undefined);
  for (const bad of ['{"a":"\\u0000"}', '"\\ud800"', '"\\udc00"', '{"a":', ''])
    t.true(conv(bad) instanceof Rejection, bad);
  t.is(
    conv('"\\ud83d\\ude00"'),
    '"\\\\ud83d\\\\ude00"',
    'a surrogate pair is fine (and its backslashes are escaped for COPY)',
  );
});

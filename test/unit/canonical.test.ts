// The verification's two ways to hash a row on the SQLite side agree: the row's
// text hashed (what the bisection uses) and its fields written straight into
// the hashing buffer (what whole-table sums use), also when a field outgrows
// the buffer. That both equal the server's hash is tested against PostgreSQL
// in test/integration/canonical.test.ts and verify.test.ts.
import test from 'ava';
import { HashSum, rowHash, rowText } from '../../agent-app/engine/canonical.js';

const ROWS: Array<Array<string | null>> = [
  [],
  [null],
  [''],
  ['plain', null, '', ' ', 'a,b', '(x)', 'say "hi"', 'back\\slash', 'tab\tnl\nvt\vff\fcr\r'],
  ['é中😀', '\u{10FFFF}', '"\\"\\'],
  ['"'.repeat(70_000), ...Array<null>(40).fill(null), 'é'.repeat(30_000)],
  ['x'.repeat(200_000), null, null, null, null, null, null, null, null, null],
];

test('a row hashes the same from its text and from its fields', (t) => {
  const byFields = new HashSum();
  let byText = 0n;
  for (const fields of ROWS) {
    const one = new HashSum();
    one.addRow(fields);
    t.is(one.sum, rowHash(rowText(fields)), rowText(fields).slice(0, 40));
    byFields.addRow(fields);
    byText += rowHash(rowText(fields));
  }
  t.is(byFields.n, ROWS.length);
  t.is(byFields.sum, byText);
});

test('record text quotes what record_out quotes and nothing else', (t) => {
  t.is(rowText(['a', null, '', 'x y', 'q"\\', '(1)', '2023-11-14']), '(a,,"","x y","q""\\\\","(1)",2023-11-14)');
});

test('sums stay exact past 2^53', (t) => {
  // 3,000,000 rows cycle through seven values: the low words alone add up past 2^53.
  const s = new HashSum();
  for (let i = 0; i < 3_000_000; i++) s.addRow([String(i % 7)]);
  const total = Array.from(
    { length: 7 },
    (_, k) => rowHash(`(${k})`) * BigInt(Math.floor(3_000_000 / 7) + (k < 3_000_000 % 7 ? 1 : 0)),
  ).reduce((a, b) => a + b, 0n);
  t.is(s.sum, total);
});

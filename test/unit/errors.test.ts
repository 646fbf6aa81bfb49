import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { status } from '@grpc/grpc-js';
import { ERROR_CODES, VsError, fromServiceError, toServiceError, fromPgError } from '../../shared/errors.js';

const DOC = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));

test('docs/errors.md lists exactly the codes of the registry, with the same gRPC status', (t) => {
  const rows = [...readFileSync(DOC, 'utf8').matchAll(/^\| `(VS_ERR_[A-Z_]+)` \| ([A-Z_]+) \|/gm)].map((m) => [m[1]!, m[2]!] as const);
  const documented = new Map(rows);
  t.is(rows.length, documented.size, 'no code is documented twice');
  t.deepEqual([...documented.keys()].sort(), Object.keys(ERROR_CODES).sort());
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    t.is(documented.get(code), status[spec.grpc], `${code} has the documented status`);
    t.true(spec.hint.length > 20, `${code} says what to do next`);
  }
});

test('an error crosses gRPC with its code, message and details, never its cause', (t) => {
  const cause = new Error('password=hunter2 in a driver message');
  const err = new VsError('VS_ERR_SSH_HOST_KEY_MISMATCH', 'host key mismatch', { details: { expected: 'SHA256:a' }, cause });
  const se = toServiceError(err);
  t.is(se.code, status.UNAVAILABLE);
  t.false(JSON.stringify(se.metadata!.getMap()).includes('hunter2'));
  t.false(String(se.details).includes('hunter2'));
  const back = fromServiceError(se);
  t.is(back.code, 'VS_ERR_SSH_HOST_KEY_MISMATCH');
  t.is(back.message, 'host key mismatch');
  t.deepEqual(back.details, { expected: 'SHA256:a' });
});

test('a status without our code maps by gRPC status', (t) => {
  t.is(fromServiceError({ code: status.UNAVAILABLE, details: 'No connection established' }).code, 'VS_ERR_AGENT_UNREACHABLE');
  t.is(fromServiceError({ code: status.UNIMPLEMENTED, details: 'x' }).code, 'VS_ERR_UNIMPLEMENTED');
  t.is(fromServiceError({ code: status.INTERNAL, details: 'x' }).code, 'VS_ERR_INTERNAL');
});

test('PostgreSQL errors map by SQLSTATE class', (t) => {
  t.is(fromPgError({ code: '28P01' }, 'login').code, 'VS_ERR_PG_AUTH');
  t.is(fromPgError({ code: '08006' }, 'x').code, 'VS_ERR_PG_UNREACHABLE');
  t.is(fromPgError({ code: 'ECONNREFUSED' }, 'x').code, 'VS_ERR_PG_UNREACHABLE');
  const q = fromPgError({ code: '42P01' }, 'read');
  t.is(q.code, 'VS_ERR_PG_QUERY');
  t.is(q.details['sqlstate'], '42P01');
});

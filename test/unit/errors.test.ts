import test from 'ava';
import { status } from '@grpc/grpc-js';
import { ERROR_CODES, VsError, fromServiceError, toServiceError, fromPgError } from '../../shared/errors.js';

test('every code has a gRPC status and says what to do next', (t) => {
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    t.true(status[spec.grpc] !== undefined, `${code} maps to a gRPC status`);
    t.true(spec.hint.length > 20, `${code} says what to do next`);
  }
});

test('an error crosses gRPC with its code, message and details, never its cause', (t) => {
  const cause = new Error('password=hunter2 in a driver message');
  const err = new VsError('VS_ERR_SSH_HOST_KEY_MISMATCH', 'host key mismatch', {
    details: { expected: 'SHA256:a' },
    cause,
  });
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
  t.is(
    fromServiceError({ code: status.UNAVAILABLE, details: 'No connection established' }).code,
    'VS_ERR_AGENT_UNREACHABLE',
  );
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

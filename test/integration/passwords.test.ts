// A password full of the characters that broke the old runbook round-trips
// through every consumer: PostgreSQL itself (our SCRAM verifier against the
// server's), the pg driver, a percent-encoded DATABASE_URL parsed back by URL
// and by pg, the env-file editor and the pairing bundle.
import test from 'ava';
import { join } from 'node:path';
import pg from 'pg';
import { startCluster, trackWith } from '../harness/stage.js';
import { tempDir } from '../harness/system.js';
import { ensureDatabase, scramVerifier, verifierCheck, verifierMatches } from '../../agent-db/provision.js';
import { databaseUrl, parseDatabaseUrl } from '../../shared/database-url.js';
import { editEnvFile, readEnvFile } from '../../shared/env-file.js';
import { formatBundle, parseBundle } from '../../shared/bundle.js';
import { Sshd } from '../harness/sshd.js';

const tracker = trackWith(test);
const PASSWORD = `p/+=$!@:'" w x`;

async function logsIn(config: pg.ClientConfig): Promise<string> {
  const c = new pg.Client(config);
  await c.connect();
  try {
    return (await c.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
  } finally {
    await c.end();
  }
}

test('a password with / + = $ ! @ : \' " and spaces round-trips through every consumer', async (t) => {
  const cluster = await startCluster('passwords', tracker);
  const admin = new pg.Pool({
    host: '127.0.0.1',
    port: cluster.port,
    user: cluster.superuser,
    password: cluster.password,
    database: 'postgres',
  });
  t.teardown(() => admin.end());

  const first = await ensureDatabase(admin, {
    database: 'pw_test',
    owner: 'pw_owner',
    password: PASSWORD,
    passwordCheck: verifierCheck(admin),
  });
  t.deepEqual(first.created, { role: true, database: true });
  const again = await ensureDatabase(admin, {
    database: 'pw_test',
    owner: 'pw_owner',
    password: PASSWORD,
    passwordCheck: verifierCheck(admin),
  });
  t.deepEqual(again.changes, [], 'the verifier we computed is recognised as the same password');

  // Our verifier reading agrees with the server's own hashing of the plaintext.
  await admin.query(`ALTER ROLE pw_owner PASSWORD ${pg.escapeLiteral(PASSWORD)}`);
  const [row] = (await admin.query<{ v: string }>("SELECT rolpassword AS v FROM pg_authid WHERE rolname = 'pw_owner'"))
    .rows;
  t.true(verifierMatches(row!.v, PASSWORD));
  t.false(verifierMatches(row!.v, PASSWORD + ' '));
  t.regex(scramVerifier(PASSWORD), /^SCRAM-SHA-256\$4096:/);

  // The pg driver, with structured parameters.
  t.is(
    await logsIn({ host: '127.0.0.1', port: cluster.port, user: 'pw_owner', password: PASSWORD, database: 'pw_test' }),
    'pw_owner',
  );

  // A URL: nothing in it needs quoting, and it parses back, by URL and by pg.
  const url = databaseUrl({
    host: '127.0.0.1',
    port: cluster.port,
    user: 'pw_owner',
    password: PASSWORD,
    database: 'pw_test',
    params: { schema: 'public' },
  });
  t.regex(
    url,
    /^postgresql:\/\/[A-Za-z0-9%._~-]+:[A-Za-z0-9%._~-]+@127\.0\.0\.1:\d+\/[A-Za-z0-9%._~-]+\?schema=public$/,
  );
  t.is(parseDatabaseUrl(url).password, PASSWORD);
  t.is(await logsIn({ connectionString: url }), 'pw_owner');

  // The env-file editor, with the URL and with the bare password.
  const env = join(tempDir('passwords-env'), 'vs-backend.env');
  await editEnvFile(env, { DATABASE_URL: url, PGPASSWORD: PASSWORD }, { createIfMissing: true });
  const read = await readEnvFile(env);
  t.is(read['DATABASE_URL'], url);
  t.is(read['PGPASSWORD'], PASSWORD);

  // The pairing bundle.
  const fields = {
    SSH_HOST: 'db.example',
    SSH_USER: 'visionsuit-migrator',
    SSH_PRIVATE_KEY_BASE64: Buffer.from(
      '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n',
    ).toString('base64'),
    SSH_HOST_KEY: Sshd.otherHostKey(),
    POSTGRES_DB: 'pw_test',
    POSTGRES_USER: 'pw_owner',
    POSTGRES_PASSWORD: PASSWORD,
    AGENT_DB_PORT: 7431,
    AGENT_DB_TOKEN: 'a'.repeat(64),
  };
  t.is(parseBundle(formatBundle(fields), 'bundle').postgres.password, PASSWORD);
});

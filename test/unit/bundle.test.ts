import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBundle, parseBundle } from '../../shared/bundle.js';
import { VsError } from '../../shared/errors.js';
import { parseHostKey } from '../../shared/ssh-host-key.js';
import { tempDir } from '../harness/system.js';
import { trackWith } from '../harness/stage.js';

// Removes the temporary directories when every test here passed.
trackWith(test);

function keys(): { priv: Buffer; pub: string } {
  const dir = tempDir('bundle-keys');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
  return { priv: readFileSync(join(dir, 'k')), pub: readFileSync(join(dir, 'k.pub'), 'utf8').trim() };
}

function fields(over: Record<string, string | number> = {}): Record<string, string | number> {
  const k = keys();
  return {
    SSH_HOST: 'pg1.example.internal',
    SSH_PORT: 22,
    SSH_USER: 'visionsuit-migrator',
    SSH_PRIVATE_KEY_BASE64: k.priv.toString('base64'),
    SSH_HOST_KEY: k.pub,
    POSTGRES_DB: 'visionsuit',
    POSTGRES_USER: 'visionsuit',
    POSTGRES_PASSWORD: 'p/+=$!@: x',
    AGENT_DB_PORT: 7431,
    AGENT_DB_TOKEN: 'a'.repeat(64),
    ...over,
  };
}

test('a bundle round-trips, secrets included, and the host key fingerprint matches ssh-keygen', (t) => {
  const f = fields();
  const p = parseBundle(formatBundle(f), 'vs-conf.txt');
  t.is(p.postgres.password, 'p/+=$!@: x');
  t.is(p.ssh.privateKey.toString('base64'), String(f['SSH_PRIVATE_KEY_BASE64']));
  t.is(p.postgres.internalHost, '127.0.0.1');
  t.is(p.postgres.port, 5432);
  const dir = tempDir('fp');
  const pubPath = join(dir, 'k.pub');
  writeFileSync(pubPath, `${f['SSH_HOST_KEY']}\n`);
  const fp = execFileSync('ssh-keygen', ['-lf', pubPath], { encoding: 'utf8' }).split(' ')[1];
  t.is(p.ssh.hostKey.fingerprint, fp);
});

test('unknown, missing and malformed keys are refused by name, without values', (t) => {
  const unknown = t.throws(() => parseBundle(formatBundle({ ...fields(), SSH_HOSTKEY: 'x' }), 'b.txt'));
  t.is((unknown as VsError).code, 'VS_ERR_BUNDLE_INVALID');
  t.regex(unknown!.message, /b\.txt: unknown key SSH_HOSTKEY/);
  const f = fields();
  delete f['AGENT_DB_TOKEN'];
  t.regex(t.throws(() => parseBundle(formatBundle(f), 'b.txt'))!.message, /missing key AGENT_DB_TOKEN/);
  const bad = t.throws(() =>
    parseBundle(formatBundle(fields({ POSTGRES_PASSWORD: 'hunter2-secret', SSH_PORT: 'ssh' })), 'b.txt'),
  );
  t.regex(bad!.message, /invalid value for SSH_PORT/);
  t.false(bad!.message.includes('hunter2'));
  t.throws(() => parseBundle(formatBundle(fields({ SSH_HOST_KEY: 'ssh-ed25519 not-base64!' })), 'b.txt'), {
    message: /SSH_HOST_KEY/,
  });
});

test('a host key line whose blob holds another key type is refused', (t) => {
  const k = keys().pub.split(' ');
  t.throws(() => parseHostKey(`ecdsa-sha2-nistp256 ${k[1]}`), {
    message: /says ecdsa-sha2-nistp256 but holds a ssh-ed25519 key/,
  });
});

// Data safety, item 6: POSTGRES_EXTERNAL_CONNECTOR_SERVICE=reboot.target made agent-app, as root, run
// `systemctl restart reboot.target`, and a value starting with `--` became a systemctl option.
test('a connector unit that is not a plain service name is refused', (t) => {
  for (const bad of ['reboot.target', '--force', '-H', 'x.service --now', '../x.service', 'a/b.service', '.service']) {
    const e = t.throws(
      () => parseBundle(formatBundle(fields({ POSTGRES_EXTERNAL_CONNECTOR_SERVICE: bad })), 'vs-conf.txt'),
      undefined,
      bad,
    );
    t.is((e as VsError).code, 'VS_ERR_BUNDLE_INVALID', bad);
    t.regex(e!.message, /POSTGRES_EXTERNAL_CONNECTOR_SERVICE/);
  }
  for (const good of ['visionsuit-external-connector.service', 'conn@db1.service', 'a_b.c-d.service']) {
    t.is(
      parseBundle(formatBundle(fields({ POSTGRES_EXTERNAL_CONNECTOR_SERVICE: good })), 'vs-conf.txt').connectorService,
      good,
    );
  }
});

// Data safety, item 6: dotenv keeps one of two assignments of a key without a word.
test('a bundle that gives a key twice is refused, naming the key', (t) => {
  const text = formatBundle(fields()) + 'POSTGRES_DB=other\n';
  const e = t.throws(() => parseBundle(text, 'vs-conf.txt'));
  t.is((e as VsError).code, 'VS_ERR_BUNDLE_INVALID');
  t.regex(e!.message, /POSTGRES_DB is given twice/);
});

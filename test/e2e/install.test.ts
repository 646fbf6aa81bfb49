// deploy/install.sh for real, as root, on a machine where systemd is not PID 1
// (the CI machine): install, upgrade over it keeping config, state and the
// pairing, the installed release runs, the units verify, and --uninstall
// removes what the install created and nothing else.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { binary, isRoot } from '../harness/system.js';

const run = promisify(execFile);
const INSTALL = fileURLToPath(new URL('../../../deploy/install.sh', import.meta.url));
const OPT = '/opt/visionsuit-agent-app';
const exists = async (db: 'passwd' | 'group', name: string) =>
  await run('getent', [db, name]).then(
    () => true,
    () => false,
  );

// Never on a workstation whose systemd would start the units, nor over a real install.
const runnable =
  isRoot &&
  !existsSync('/run/systemd/system') &&
  !existsSync(OPT) &&
  !existsSync('/opt/visionsuit-agent-db') &&
  !existsSync('/var/lib/vsmigrate-install');

test.serial(
  'install.sh app: install, upgrade keeping config, state and pairing, uninstall exactly what it made',
  async (t) => {
    if (!runnable) return t.pass('needs root, no running systemd and no existing install (the CI machine)');
    const vsadminBefore = await exists('group', 'vsadmin');
    const first = await run('bash', [INSTALL, 'app'], { maxBuffer: 16 << 20 });
    t.regex(first.stdout, /installed \/opt\/visionsuit-agent-app/);
    t.regex(first.stdout, /next step:/);
    t.true(await exists('passwd', 'visionsuit-connector'));
    t.true(await exists('group', 'vsadmin'));
    for (const unit of ['visionsuit-agent-app.service', 'visionsuit-external-connector.service'])
      t.true(existsSync(`/etc/systemd/system/${unit}`), unit);
    const config = '/etc/visionsuit-external-connector/config.json';
    t.is(statSync(config).mode & 0o777, 0o640);
    t.is(statSync('/etc/visionsuit-external-connector').mode & 0o777, 0o750);
    t.is(statSync('/var/lib/visionsuit-agent-app').mode & 0o777, 0o700);

    // The installed release runs from /opt with production dependencies only.
    const help = await run('/usr/bin/node', [`${OPT}/dist/connector/main.js`, '--help']);
    t.regex(help.stdout, /tlsFallback\.host/);
    t.regex((await run('/usr/local/bin/vsctl', ['--help'])).stdout, /Usage: vsctl \[options\] \[command\]/);
    t.false(existsSync(`${OPT}/node_modules/ava`), 'development packages are pruned');
    if (binary('systemd-analyze')) {
      const v = await run('systemd-analyze', [
        'verify',
        '--man=no',
        '/etc/systemd/system/visionsuit-agent-app.service',
        '/etc/systemd/system/visionsuit-external-connector.service',
      ]);
      t.is(v.stderr.trim(), '');
    }

    // An upgrade keeps what the operator and the agent wrote.
    writeFileSync(config, '{"maxConnections": 50}\n');
    writeFileSync('/var/lib/visionsuit-agent-app/pairing.conf', 'SSH_HOST=db.example\n', { mode: 0o600 });
    const manifest = readFileSync('/var/lib/vsmigrate-install/app.manifest', 'utf8');
    const second = await run('bash', [INSTALL, 'app'], { maxBuffer: 16 << 20 });
    t.regex(second.stdout, /upgraded \/opt\/visionsuit-agent-app/);
    t.notRegex(second.stdout, /created/);
    t.is(readFileSync(config, 'utf8'), '{"maxConnections": 50}\n');
    t.is(readFileSync('/var/lib/visionsuit-agent-app/pairing.conf', 'utf8'), 'SSH_HOST=db.example\n');
    t.is(
      readFileSync('/var/lib/vsmigrate-install/app.manifest', 'utf8'),
      manifest,
      'the second run created nothing new',
    );

    const gone = await run('bash', [INSTALL, 'app', '--uninstall']);
    t.regex(gone.stdout, /kept config and state/);
    t.false(existsSync(OPT));
    t.false(existsSync('/etc/systemd/system/visionsuit-agent-app.service'));
    t.false(existsSync('/usr/local/bin/vsctl'));
    t.false(await exists('passwd', 'visionsuit-connector'));
    t.is(await exists('group', 'vsadmin'), vsadminBefore, 'a group that existed before stays');
    t.true(existsSync('/var/lib/visionsuit-agent-app/pairing.conf'), 'state stays');
    t.true(existsSync(config), 'config stays');
    await run('rm', [
      '-rf',
      '/etc/visionsuit-agent-app',
      '/etc/visionsuit-external-connector',
      '/var/lib/visionsuit-agent-app',
    ]);
  },
);

test.serial(
  'install.sh db: the agent and vs-agent-db on the PATH, bootstrap named as the next step, then uninstall',
  async (t) => {
    if (!runnable) return t.pass('needs root, no running systemd and no existing install (the CI machine)');
    const userBefore = await exists('passwd', 'visionsuit-agent-db');
    // A failed assertion must not leave an install behind (the next run would skip).
    t.teardown(async () => {
      if (existsSync('/opt/visionsuit-agent-db')) await run('bash', [INSTALL, 'db', '--uninstall']).catch(() => {});
      await run('rm', ['-rf', '/etc/visionsuit-agent-db', '/var/lib/visionsuit-agent-db']);
    });
    const first = await run('bash', [INSTALL, 'db'], { maxBuffer: 16 << 20 });
    t.regex(first.stdout, /installed \/opt\/visionsuit-agent-db/);
    t.regex(first.stdout, /vs-agent-db bootstrap --bootstrap-ssh-host=/);
    t.true(await exists('passwd', 'visionsuit-agent-db'));
    t.is(statSync('/etc/visionsuit-agent-db/config.json').mode & 0o777, 0o640);
    t.is(statSync('/var/lib/visionsuit-agent-db').mode & 0o777, 0o750);
    const help = await run('/usr/local/bin/vs-agent-db', ['--help']);
    t.regex(help.stdout, /bootstrap {4}as root/);
    t.regex(help.stdout, /--bootstrap-ssh-user +VS_BOOTSTRAP_SSH_USER/);
    if (binary('systemd-analyze')) {
      const v = await run('systemd-analyze', ['verify', '--man=no', '/etc/systemd/system/visionsuit-agent-db.service']);
      t.is(v.stderr.trim(), '');
    }
    const gone = await run('bash', [INSTALL, 'db', '--uninstall']);
    t.regex(gone.stdout, /kept config and state/);
    t.false(existsSync('/opt/visionsuit-agent-db'));
    t.false(existsSync('/usr/local/bin/vs-agent-db'));
    t.is(await exists('passwd', 'visionsuit-agent-db'), userBefore);
  },
);

// The command lines as an operator meets them, each program run for real: help
// per command with examples, -h and --version everywhere, options checked per
// command, --opt value and --opt=value alike, usage errors as VS_ERR_USAGE with
// exit 2, errors as JSON on stdout with --json, and bins a checkout can run.
import test from 'ava';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, runProgram } from '../harness/agents.js';
import { tempDir } from '../harness/system.js';
import { trackWith } from '../harness/stage.js';
import { productVersion } from '../../shared/version.js';

trackWith(test);

const NO_AGENT = '/nonexistent/vsctl.sock';

test("vsctl migrate --help and vsctl help migrate print the command's own help, with examples", async (t) => {
  for (const args of [
    ['migrate', '--help'],
    ['help', 'migrate'],
    ['migrate', '-h'],
  ]) {
    const r = await runProgram(BIN.vsctl, args);
    t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stdout, /^Usage: vsctl migrate \[options\]/);
    t.regex(r.stdout, /--replace-target/);
    t.regex(r.stdout, /Examples:\n {2}vsctl migrate\n/);
    t.notRegex(r.stdout, /--accept-loss/, 'not the global usage');
  }
});

test('--version and -h answer in every program', async (t) => {
  for (const bin of [BIN.vsctl, BIN.agentApp, BIN.agentDb, BIN.connector]) {
    const v = await runProgram(bin, ['--version']);
    t.is(v.code, 0, v.stderr);
    t.true(v.stdout.includes(productVersion()), `${bin}: ${v.stdout}`);
    const h = await runProgram(bin, ['-h']);
    t.is(h.code, 0, h.stderr);
    t.regex(h.stdout, /[Uu]sage: /);
  }
  for (const command of ['migrate-local', 'verify-local', 'restore-local']) {
    const h = await runProgram(BIN.agentApp, [command, '-h']);
    t.is(h.code, 0, h.stderr);
    t.regex(h.stdout, new RegExp(`usage: vs-agent-app ${command}`));
  }
});

test('vsctl pair without --bundle names the missing option; an option of another command is refused', async (t) => {
  const pair = await runProgram(BIN.vsctl, ['pair']);
  t.is(pair.code, 2);
  t.regex(pair.stderr, /error VS_ERR_USAGE: required option '--bundle <file>' not specified/);
  t.notRegex(pair.stderr, /unknown command/);
  const mixed = await runProgram(BIN.vsctl, ['migrate', '--keep', '--accept-loss', `--socket-path=${NO_AGENT}`]);
  t.is(mixed.code, 2);
  t.regex(mixed.stderr, /error VS_ERR_USAGE: unknown option '--keep'/);
  const missing = await runProgram(BIN.vsctl, ['rehearse', '--max-rate']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /VS_ERR_USAGE: option '--max-rate <MB_PER_S>' argument missing/);
  const none = await runProgram(BIN.vsctl, []);
  t.is(none.code, 2);
  t.regex(none.stdout, /Commands:/);
  const unknown = await runProgram(BIN.vsctl, ['migrat']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /VS_ERR_USAGE: unknown command 'migrat'/);
});

test('--opt value and --opt=value both work, in vsctl and in the agents', async (t) => {
  for (const args of [
    ['status', '--socket-path', NO_AGENT],
    ['status', `--socket-path=${NO_AGENT}`],
    ['--socket-path', NO_AGENT, 'status'],
  ]) {
    const r = await runProgram(BIN.vsctl, args);
    t.is(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, /VS_ERR_AGENT_UNREACHABLE/);
  }
  const dir = tempDir('cli-config');
  for (const args of [
    ['--check-config', '--socket-path', join(dir, 'x.sock')],
    ['--check-config', `--socket-path=${join(dir, 'x.sock')}`],
  ]) {
    const ok = await runProgram(BIN.agentApp, args);
    t.is(ok.code, 0, ok.stderr);
    t.is(JSON.parse(ok.stdout.slice(ok.stdout.indexOf('{'))).socketPath, join(dir, 'x.sock'));
  }
  const missing = await runProgram(BIN.agentDb, ['--check-config', '--port']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /VS_ERR_USAGE: --port needs a value/);
});

test('migrate-local --bogus is a usage error (exit 2), not an internal one', async (t) => {
  for (const command of ['migrate-local', 'verify-local', 'restore-local']) {
    const r = await runProgram(BIN.agentApp, [command, '--bogus']);
    t.is(r.code, 2, `${command}: ${r.stderr}`);
    t.regex(r.stderr, new RegExp(`error VS_ERR_USAGE: ${command}: Unknown option '--bogus'`));
    t.notRegex(r.stderr, /VS_ERR_INTERNAL|journalctl/);
  }
});

test('with --json, errors are JSON on stdout: vsctl status with no agent', async (t) => {
  const r = await runProgram(BIN.vsctl, ['status', '--json', `--socket-path=${NO_AGENT}`]);
  t.is(r.code, 3);
  const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; hint: string } };
  t.false(out.ok);
  t.is(out.error.code, 'VS_ERR_AGENT_UNREACHABLE');
  t.truthy(out.error.hint);
  const usage = await runProgram(BIN.vsctl, ['migrate', '--bogus', '--json']);
  t.is(usage.code, 2);
  t.is((JSON.parse(usage.stdout) as { error: { code: string } }).error.code, 'VS_ERR_USAGE');
});

test('npm run build leaves the four bins executable, so a checkout runs them as programs', async (t) => {
  for (const bin of [BIN.vsctl, BIN.agentApp, BIN.agentDb, BIN.connector]) {
    t.not(statSync(bin).mode & 0o111, 0, `${bin} is executable`);
    const r = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(bin, ['--version'], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } }, (err, stdout) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
      ),
    );
    t.is(r.code, 0, bin);
    t.true(r.stdout.includes(productVersion()));
  }
});

// The issued key can do exactly two things: forward to agent-db's port and to
// PostgreSQL's port on the far side's loopback. sshd itself refuses the rest.
import test from 'ava';
import net from 'node:net';
import { Client } from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { Sshd } from '../harness/sshd.js';
import { freePort } from '../harness/system.js';
import { trackWith } from '../harness/stage.js';
import { pollUntil } from '../harness/proc.js';

const tracker = trackWith(test);

async function connect(sshd: Sshd): Promise<Client> {
  const c = new Client();
  await new Promise<void>((resolve, reject) => {
    c.once('ready', resolve).once('error', reject);
    c.connect({
      host: '127.0.0.1',
      port: sshd.port,
      username: sshd.user,
      privateKey: sshd.clientKey.privateKey,
      hostVerifier: () => true,
    });
  });
  return c;
}

function forward(c: Client, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    c.forwardOut('127.0.0.1', 0, '127.0.0.1', port, (err, ch) => (err ? reject(err) : resolve(ch))),
  );
}

async function echoServer(): Promise<{ port: number; server: net.Server }> {
  const server = net.createServer((s) => s.pipe(s));
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { port, server };
}

test('a shell or command is refused, only the two forwards work', async (t) => {
  const allowedA = await echoServer();
  const allowedB = await echoServer();
  const other = await echoServer();
  const sshd = await Sshd.create('restrictions', [allowedA.port, allowedB.port]);
  tracker.add(
    'sshd',
    () => sshd.proc,
    () => sshd.stop(),
  );
  const c = await connect(sshd);
  t.teardown(() => {
    c.end();
    for (const s of [allowedA, allowedB, other]) s.server.close();
  });

  // exec: the forced command runs instead, and it refuses.
  const exec = await new Promise<{ out: string; code: number | null }>((resolve, reject) => {
    c.exec('echo SHELL-OK; id -u', (err, ch) => {
      if (err) return reject(err);
      let out = '';
      let code: number | null = null;
      ch.on('data', (d: Buffer) => (out += d));
      ch.stderr.on('data', (d: Buffer) => (out += d));
      ch.on('exit', (c: number | null) => (code = c));
      // 'exit' can come before the last data; 'close' comes after both.
      ch.on('close', () => resolve({ out, code }));
    });
  });
  t.false(exec.out.includes('SHELL-OK'), 'the command did not run');
  t.regex(exec.out, /not available/);
  t.not(exec.code, 0);

  // A pty, which an interactive shell needs, is refused outright.
  const shell = await new Promise<string>((resolve) => {
    c.shell({ term: 'xterm' }, (err, ch) => {
      if (err) return resolve(`refused: ${err.message}`);
      let out = '';
      ch.on('data', (d: Buffer) => (out += d));
      ch.on('close', () => resolve(out));
    });
  });
  t.false(shell.includes('SHELL-OK'));
  t.regex(shell, /refused|not available/i);

  // The two permitted forwards carry data.
  for (const port of [allowedA.port, allowedB.port]) {
    const ch = await forward(c, port);
    const reply = await new Promise<string>((resolve) => {
      ch.once('data', (d: Buffer) => resolve(d.toString()));
      ch.write('ping');
    });
    t.is(reply, 'ping');
    ch.destroy();
  }

  // Any other port is refused by sshd, although something listens there.
  const err = await t.throwsAsync(forward(c, other.port));
  t.is((err as Error & { reason?: number }).reason, 1, 'SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, not a connect failure');
  await pollUntil(
    'sshd to log the refusal',
    async () =>
      new RegExp(`connect to host 127\\.0\\.0\\.1 port ${other.port}, but the request was denied`).test(sshd.output()),
    5000,
  );
});

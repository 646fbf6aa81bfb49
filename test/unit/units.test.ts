// The systemd units in deploy/systemd/: systemd's own verifier accepts each,
// and each holds what the agents rely on (readiness and watchdog through
// systemd-notify, a stop timeout longer than the program's default drain
// budget, the hardening set) and what the programs' defaults assume.
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { z } from 'zod';
import { AgentDbConfigSchema } from '../../agent-db/config.js';
import { AgentAppConfigSchema } from '../../agent-app/config.js';
import { ConnectorConfigSchema } from '../../connector/config.js';
import { binary } from '../harness/system.js';

const UNITS = fileURLToPath(new URL('../../../deploy/systemd/', import.meta.url));
const units: Array<{ file: string; schema: z.ZodType<{ drainTimeoutMs: number }>; main: string }> = [
  { file: 'visionsuit-agent-db.service', schema: AgentDbConfigSchema, main: 'dist/agent-db/main.js' },
  { file: 'visionsuit-agent-app.service', schema: AgentAppConfigSchema, main: 'dist/agent-app/main.js' },
  { file: 'visionsuit-external-connector.service', schema: ConnectorConfigSchema, main: 'dist/connector/main.js' },
];

/** Directive → values, from the [Service] and [Unit] sections (comments dropped). */
function directives(file: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(join(UNITS, file), 'utf8').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

const seconds = (v: string) => Number(/^(\d+)s?$/.exec(v)?.[1] ?? NaN);

test('systemd-analyze verify accepts every unit', async (t) => {
  if (!binary('systemd-analyze')) return t.pass('systemd-analyze missing (CI fails instead)');
  const r = await promisify(execFile)('systemd-analyze', [
    'verify',
    '--man=no',
    ...units.map((u) => join(UNITS, u.file)),
  ]).catch((e: { stderr: string; code: number }) => e);
  t.is('code' in r ? r.code : 0, 0, 'stderr' in r ? r.stderr : '');
  t.is(r.stderr.trim(), '', 'no warnings either');
});

for (const u of units) {
  test(`${u.file}: notify, watchdog, stop timeout beyond the drain budget, hardening`, (t) => {
    const d = directives(u.file);
    const one = (k: string) => d.get(k)?.at(-1);
    t.is(one('Type'), 'notify');
    t.is(one('NotifyAccess'), 'all', 'READY=1 and WATCHDOG=1 come from a systemd-notify child process');
    t.true(seconds(one('WatchdogSec') ?? '') > 0);
    t.is(one('Restart'), 'on-failure');
    const drainMs = u.schema.parse({}).drainTimeoutMs;
    t.true(
      seconds(one('TimeoutStopSec') ?? '') * 1000 > drainMs,
      `TimeoutStopSec ${one('TimeoutStopSec')} must exceed the default drain budget of ${drainMs} ms`,
    );
    t.true(d.get('After')!.join(' ').includes('network-online.target'));
    t.true(d.get('Wants')!.join(' ').includes('network-online.target'));
    t.true(one('ExecStart')!.includes(u.main));
    for (const [k, v] of Object.entries({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      PrivateTmp: 'yes',
      ProtectHome: 'yes',
      LockPersonality: 'yes',
      SystemCallArchitectures: 'native',
    })) {
      t.is(one(k), v, k);
    }
    // AF_NETLINK only where ss(8) reads the kernel's byte counts: the connector's OpenSSH data path.
    const families = u.file.includes('connector')
      ? ['AF_INET', 'AF_INET6', 'AF_UNIX', 'AF_NETLINK']
      : ['AF_INET', 'AF_INET6', 'AF_UNIX'];
    t.true(
      one('RestrictAddressFamilies')!
        .split(' ')
        .every((f) => families.includes(f)),
    );
    t.false(d.has('MemoryDenyWriteExecute'), "V8's JIT needs writable-executable memory");
    t.not(one('User'), undefined, 'the user is explicit');
  });
}

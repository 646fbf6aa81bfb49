import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configLeaves, loadConfig, splitConfigArgs } from '../../shared/config.js';
import { VsError } from '../../shared/errors.js';
import { AgentAppConfigSchema } from '../../agent-app/config.js';
import { AgentDbConfigSchema } from '../../agent-db/config.js';
import { ConnectorConfigSchema } from '../../connector/config.js';
import { tempDir } from '../harness/system.js';
import { trackWith } from '../harness/stage.js';

// Removes the temporary directories when every test here passed.
trackWith(test);

const Schema = z.strictObject({
  port: z.number().int().default(7431),
  drainTimeoutMs: z.number().int().default(10_000),
  verbose: z.boolean().default(false),
  link: z
    .strictObject({ keepaliveIntervalMs: z.number().int().default(5000), host: z.string().default('a') })
    .prefault({}),
});

function file(obj: unknown): string {
  const path = join(tempDir('config'), 'c.json');
  writeFileSync(path, JSON.stringify(obj));
  return path;
}

test('defaults, then file, then VS_* environment, then flags', (t) => {
  const path = file({ port: 1, drainTimeoutMs: 2, link: { keepaliveIntervalMs: 3 } });
  const c = loadConfig(Schema, {
    program: 'p',
    file: { path, explicit: true },
    env: { VS_DRAIN_TIMEOUT_MS: '20', VS_LINK_KEEPALIVE_INTERVAL_MS: '30', HOME: '/root' },
    flags: { '--link-keepalive-interval-ms': '300', '--verbose': 'true' },
  });
  t.deepEqual(c, { port: 1, drainTimeoutMs: 20, verbose: true, link: { keepaliveIntervalMs: 300, host: 'a' } });
  t.true(Object.isFrozen(c) && Object.isFrozen(c.link));
  t.throws(() => {
    (c as { port: number }).port = 5;
  });
});

test('unknown keys are refused wherever they come from, naming them', (t) => {
  const nested = t.throws(() =>
    loadConfig(Schema, {
      program: 'p',
      file: { path: file({ link: { hots: 'x' } }), explicit: true },
      env: {},
      flags: {},
    }),
  );
  t.is((nested as VsError).code, 'VS_ERR_CONFIG_UNKNOWN_KEY');
  t.regex(nested!.message, /unknown config key "link\.hots"/);
  const env = t.throws(() => loadConfig(Schema, { program: 'p', env: { VS_LINK_HOTS: 'x' }, flags: {} }));
  t.regex(env!.message, /unknown environment variable VS_LINK_HOTS/);
  const flag = t.throws(() => loadConfig(Schema, { program: 'p', env: {}, flags: { '--link-hots': 'x' } }));
  t.regex(flag!.message, /unknown option --link-hots/);
});

test('bad values are refused naming the key', (t) => {
  const e1 = t.throws(() => loadConfig(Schema, { program: 'p', env: { VS_PORT: 'seventy' }, flags: {} }));
  t.is((e1 as VsError).code, 'VS_ERR_CONFIG_INVALID');
  t.regex(e1!.message, /expected a number for port/);
  const e2 = t.throws(() =>
    loadConfig(Schema, { program: 'p', file: { path: file({ port: 'x' }), explicit: true }, env: {}, flags: {} }),
  );
  t.regex(e2!.message, /config key "port" is invalid/);
  const e3 = t.throws(() =>
    loadConfig(Schema, { program: 'p', file: { path: '/nonexistent/c.json', explicit: true }, env: {}, flags: {} }),
  );
  t.is((e3 as VsError).code, 'VS_ERR_CONFIG_FILE');
  t.notThrows(() =>
    loadConfig(Schema, { program: 'p', file: { path: '/nonexistent/c.json', explicit: false }, env: {}, flags: {} }),
  );
});

test('argv splits into config flags, the config file and the rest', (t) => {
  t.deepEqual(splitConfigArgs(['status', '--json', '--config', '/x.json', '--socket-path=/s', '--check-config']), {
    configFile: '/x.json',
    checkConfig: true,
    flags: { '--socket-path': '/s' },
    rest: ['status', '--json'],
  });
});

test('every agent config key has a unit-bearing name when it is a duration, and a description', (t) => {
  for (const schema of [AgentAppConfigSchema, AgentDbConfigSchema]) {
    for (const leaf of configLeaves(schema)) {
      t.true(leaf.description.length > 0, `${leaf.path.join('.')} is described`);
      if (/(timeout|interval|poll|delay)/i.test(leaf.path.join('.')))
        t.regex(leaf.path.at(-1)!, /Ms$/, `${leaf.path.join('.')} names its unit`);
    }
  }
});

// Data safety, item 13: healthTimeoutMs=0 was accepted, so every switch failed its probe and rolled back.
test('zero timeouts are refused: every bound on a wait is at least 1 s, intervals and settle times may be 0', (t) => {
  const load = (schema: z.ZodType, env: Record<string, string>) => loadConfig(schema, { program: 'p', env, flags: {} });
  for (const [schema, key] of [
    [AgentAppConfigSchema, 'VS_HEALTH_TIMEOUT_MS'],
    [AgentAppConfigSchema, 'VS_SWITCH_HOOK_TIMEOUT_MS'],
    [AgentAppConfigSchema, 'VS_CALL_TIMEOUT_MS'],
    [AgentAppConfigSchema, 'VS_DRAIN_TIMEOUT_MS'],
    [AgentAppConfigSchema, 'VS_LINK_CONNECT_TIMEOUT_MS'],
    [AgentDbConfigSchema, 'VS_DRAIN_TIMEOUT_MS'],
    [ConnectorConfigSchema, 'VS_STARTUP_TIMEOUT_MS'],
    [ConnectorConfigSchema, 'VS_IDLE_TIMEOUT_MS'],
  ] as const) {
    for (const value of ['0', '999']) {
      if (key === 'VS_IDLE_TIMEOUT_MS' && value === '0') continue; // 0 means "never" there
      const e = t.throws(() => load(schema, { [key]: value }), undefined, `${key}=${value}`);
      t.is((e as VsError).code, 'VS_ERR_CONFIG_INVALID', `${key}=${value}`);
    }
    t.notThrows(() => load(schema, { [key]: '1000' }), `${key}=1000`);
  }
  const c = load(AgentAppConfigSchema, { VS_HEALTH_SETTLE_MS: '0', VS_AGENT_DB_POLL_MS: '0' }) as {
    healthSettleMs: number;
  };
  t.is(c.healthSettleMs, 0);
  t.is((load(ConnectorConfigSchema, { VS_IDLE_TIMEOUT_MS: '0' }) as { idleTimeoutMs: number }).idleTimeoutMs, 0);
});

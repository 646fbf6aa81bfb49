// agent-app's configuration schema. Every key has a default; see shared/config.ts
// for how file, environment and flags are layered over it.
import { z } from 'zod';
import { LinkTimingsSchema, metricsPort, ms, timeoutMs } from '../shared/config.js';

export const AgentAppConfigSchema = z.strictObject({
  socketPath: z
    .string()
    .default('/run/visionsuit-agent-app/vsctl.sock')
    .describe('unix socket vsctl talks to (mode 0660, its directory 0750)'),
  socketGroup: z.string().default('vsadmin').describe('group that owns the socket; members may run vsctl without root'),
  stateDir: z
    .string()
    .default('/var/lib/visionsuit-agent-app')
    .describe('run journal, run directories, stored pairing'),
  pairingFile: z
    .string()
    .default('/var/lib/visionsuit-agent-app/pairing.conf')
    .describe('the stored pairing (vs-conf.txt format, 0600)'),
  metricsPort,
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info').describe('log level'),
  drainTimeoutMs: timeoutMs(10_000, 'how long SIGTERM may take to drain in-flight work'),
  agentDbPollMs: ms(2_000, "how soon agent-db's health Watch is re-opened, through the link, after it breaks"),
  callTimeoutMs: timeoutMs(10_000, 'deadline of calls to agent-db'),
  connectorHealthUrl: z
    .string()
    .default('http://127.0.0.1:6433/healthz')
    .describe("the external connector's HTTP health, shown by vsctl status"),
  sqlitePath: z
    .string()
    .default('/opt/visionsuit/backend/prisma/dev.db')
    .describe("VisionSuit's SQLite database (only read; the migration snapshots it)"),
  prismaSchema: z
    .string()
    .default('/opt/visionsuit/backend/prisma/schema.prisma')
    .describe("the app's schema.prisma, parsed with Prisma's own parser"),
  preflight: z
    .strictObject({
      diskFactor: z
        .number()
        .min(0)
        .default(3)
        .describe(
          'preflight: free space each side needs, as a multiple of the SQLite file size (an online run keeps the snapshot and two images of the file here)',
        ),
      minFreeBytes: z
        .number()
        .int()
        .min(0)
        .default(0)
        .describe('preflight: free space each side needs at least, in bytes'),
    })
    .prefault({}),
  backendDir: z
    .string()
    .default('/opt/visionsuit/backend')
    .describe("VisionSuit's backend directory (its .env, the switch hook's working directory)"),
  envFiles: z
    .array(z.string())
    .default(['/etc/visionsuit/vs-backend.env', '/etc/visionsuit/vs-frontend.env', '/opt/visionsuit/backend/.env'])
    .describe(
      'every file that holds DATABASE_URL; the switch edits DATABASE_URL and SHADOW_DATABASE_URL in each that exists',
    ),
  writerUnits: z
    .array(z.string())
    .default(['vs-backend.service', 'prisma-studio.service', 'visionsuit-dev.service'])
    .describe(
      'units that may write the SQLite file: stopped by the freeze (those present), started again after the switch',
    ),
  backendUnit: z.string().default('vs-backend.service').describe('the unit whose health decides a switch'),
  systemctl: z.string().default('/usr/bin/systemctl').describe('the service manager binary'),
  healthUrl: z
    .string()
    .default('http://127.0.0.1:4000/api/meta/status/backend')
    .describe("the backend's health endpoint; it must answer 200 with status ok"),
  healthTimeoutMs: timeoutMs(60_000, 'how long the backend may take to answer healthy after a restart'),
  healthSettleMs: ms(5_000, 'after a healthy answer, how long the backend unit must stay active and healthy'),
  catchUpMaxRounds: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(5)
    .describe(
      'online migration: catch-up rounds before the freeze, at most; they end sooner once a round applies in 2 s or less',
    ),
  connectorListen: z
    .string()
    .default('127.0.0.1:6432')
    .describe("the external connector's listen address: the host and port of the new DATABASE_URL"),
  switchHook: z
    .array(z.string())
    .default([])
    .describe(
      'a command (argv) run after the env files change, before the restart, e.g. ["npx","prisma","generate"]; empty: none',
    ),
  switchHookTimeoutMs: timeoutMs(300_000, 'how long the switch hook may run'),
  link: LinkTimingsSchema,
});

export type AgentAppConfig = z.output<typeof AgentAppConfigSchema>;

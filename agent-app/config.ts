// agent-app's configuration schema. Every key has a default; see shared/config.ts
// for how file, environment and flags are layered over it.
import { z } from 'zod';
import { LinkTimingsSchema, ms } from '../shared/config.js';

export const AgentAppConfigSchema = z.strictObject({
  socketPath: z.string().default('/run/visionsuit-agent-app/vsctl.sock').describe('unix socket vsctl talks to (mode 0660, its directory 0750)'),
  socketGroup: z.string().default('vsadmin').describe('group that owns the socket; members may run vsctl without root'),
  stateDir: z.string().default('/var/lib/visionsuit-agent-app').describe('run journal, run directories, stored pairing'),
  pairingFile: z.string().default('/var/lib/visionsuit-agent-app/pairing.conf').describe('the stored pairing (vs-conf.txt format, 0600)'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info').describe('log level'),
  drainTimeoutMs: ms(10_000, 'how long SIGTERM may take to drain in-flight work'),
  agentDbPollMs: ms(2_000, 'how often agent-db health is checked through the link'),
  callTimeoutMs: ms(10_000, 'deadline of calls to agent-db'),
  connectorHealthUrl: z.string().default('http://127.0.0.1:6433/healthz').describe("the external connector's HTTP health, shown by vsctl status"),
  sqlitePath: z.string().default('/opt/visionsuit/backend/prisma/dev.db').describe("VisionSuit's SQLite database (only read; the migration snapshots it)"),
  prismaSchema: z.string().default('/opt/visionsuit/backend/prisma/schema.prisma').describe("the app's schema.prisma, parsed with Prisma's own parser"),
  preflight: z
    .strictObject({
      diskFactor: z.number().min(0).default(2).describe('preflight: free space each side needs, as a multiple of the SQLite file size'),
      minFreeBytes: z.number().int().min(0).default(0).describe('preflight: free space each side needs at least, in bytes'),
    })
    .prefault({}),
  link: LinkTimingsSchema,
});

export type AgentAppConfig = z.output<typeof AgentAppConfigSchema>;

// agent-app's configuration schema. Every key has a default; see shared/config.ts
// for how file, environment and flags are layered over it.
import { z } from 'zod';

const ms = (def: number, description: string) => z.number().int().min(0).default(def).describe(description);

export const AgentAppConfigSchema = z.strictObject({
  socketPath: z.string().default('/run/visionsuit-agent-app/vsctl.sock').describe('unix socket vsctl talks to (mode 0660, its directory 0750)'),
  socketGroup: z.string().default('vsadmin').describe('group that owns the socket; members may run vsctl without root'),
  stateDir: z.string().default('/var/lib/visionsuit-agent-app').describe('run journal, run directories, stored pairing'),
  pairingFile: z.string().default('/var/lib/visionsuit-agent-app/pairing.conf').describe('the stored pairing (vs-conf.txt format, 0600)'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info').describe('log level'),
  drainTimeoutMs: ms(10_000, 'how long SIGTERM may take to drain in-flight work'),
  agentDbPollMs: ms(2_000, 'how often agent-db health is checked through the link'),
  callTimeoutMs: ms(10_000, 'deadline of calls to agent-db'),
  link: z
    .strictObject({
      keepaliveIntervalMs: ms(5_000, 'SSH keepalive interval'),
      keepaliveCountMax: z.number().int().min(1).default(3).describe('unanswered keepalives before the link is declared down'),
      connectTimeoutMs: ms(10_000, 'SSH connect and handshake timeout'),
      reconnectInitialMs: ms(500, 'first reconnect delay; doubles after each failure'),
      reconnectMaxMs: ms(30_000, 'longest reconnect delay'),
    })
    .prefault({}),
});

export type AgentAppConfig = z.output<typeof AgentAppConfigSchema>;

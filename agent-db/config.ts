// agent-db's configuration schema. Every key has a default; see shared/config.ts
// for how file, environment and flags are layered over it.
import { z } from 'zod';
import { ms } from '../shared/config.js';

export const AgentDbConfigSchema = z.strictObject({
  port: z.number().int().min(1).max(65535).default(7431).describe('gRPC port; agent-db binds 127.0.0.1 only'),
  tokenFile: z.string().default('/etc/visionsuit-agent-db/agent-token').describe('file (0600) holding the deployment token every call must carry'),
  stateDir: z.string().default('/var/lib/visionsuit-agent-db').describe('backups and state'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info').describe('log level'),
  drainTimeoutMs: ms(10_000, 'how long SIGTERM may take to drain in-flight calls'),
  healthPollMs: ms(2_000, 'how often PostgreSQL reachability is checked for the health service'),
  postgres: z
    .strictObject({
      host: z.string().default('/var/run/postgresql').describe('admin connection: socket directory or host'),
      port: z.number().int().min(1).max(65535).default(5432).describe('admin connection: port'),
      user: z.string().default('postgres').describe('admin connection: superuser role (peer authentication over the socket by default)'),
      database: z.string().default('postgres').describe('admin connection: database'),
      passwordFile: z.string().default('').describe('admin connection: file (0600) with the password, when peer authentication is not used'),
      connectTimeoutMs: ms(5_000, 'admin connection: connect timeout'),
    })
    .prefault({}),
});

export type AgentDbConfig = z.output<typeof AgentDbConfigSchema>;

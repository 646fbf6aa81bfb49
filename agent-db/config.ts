// agent-db's configuration schema. Every key has a default; see shared/config.ts
// for how file, environment and flags are layered over it.
import { z } from 'zod';
import { metricsPort, ms, timeoutMs } from '../shared/config.js';

export const AgentDbConfigSchema = z.strictObject({
  port: z.number().int().min(1).max(65535).default(7431).describe('gRPC port; agent-db binds 127.0.0.1 only'),
  tokenFile: z
    .string()
    .default('/etc/visionsuit-agent-db/agent-token')
    .describe('file (0600) holding the deployment token every call must carry'),
  stateDir: z.string().default('/var/lib/visionsuit-agent-db').describe('backups and state'),
  metricsPort,
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info').describe('log level'),
  drainTimeoutMs: timeoutMs(10_000, 'how long SIGTERM may take to drain in-flight calls'),
  healthPollMs: ms(2_000, 'how often PostgreSQL reachability is checked for the health service'),
  postgres: z
    .strictObject({
      host: z.string().default('127.0.0.1').describe('admin connection: host, or a socket directory'),
      port: z
        .number()
        .int()
        .min(1)
        .max(65535)
        .default(5432)
        .describe('admin connection: port (also the port put in the pairing bundle)'),
      user: z
        .string()
        .default('vs_agent_db')
        .describe("admin connection: agent-db's own role (CREATEDB CREATEROLE, never superuser; bootstrap creates it)"),
      database: z.string().default('postgres').describe('admin connection: database'),
      passwordFile: z
        .string()
        .default('/etc/visionsuit-agent-db/pg-admin-password')
        .describe('admin connection: file (0600) with the password; bootstrap creates it'),
      connectTimeoutMs: timeoutMs(5_000, 'admin connection: connect timeout'),
    })
    .prefault({}),
  bootstrap: z
    .strictObject({
      database: z.string().default('visionsuit').describe("bootstrap: the app's database"),
      ownerRole: z
        .string()
        .default('visionsuit')
        .describe("bootstrap: the app's owner role (LOGIN, SCRAM password, owns the database)"),
      sshUser: z
        .string()
        .default('visionsuit-migrator')
        .describe('bootstrap: the Linux user whose key may only forward to PostgreSQL and agent-db'),
      sshHome: z
        .string()
        .default('/var/lib/visionsuit-migrator')
        .describe("bootstrap: that user's home (root-owned, holds .ssh/authorized_keys)"),
      sshHost: z
        .string()
        .default('')
        .describe(
          'bootstrap: SSH_HOST written to the bundle, as the VisionSuit host reaches this host (default: this host name)',
        ),
      sshPort: z.number().int().min(1).max(65535).default(22).describe('bootstrap: SSH_PORT written to the bundle'),
      hostKeyFile: z
        .string()
        .default('/etc/ssh/ssh_host_ed25519_key.pub')
        .describe("bootstrap: this host's SSH host public key, pinned in the bundle"),
      secretsDir: z
        .string()
        .default('/etc/visionsuit-agent-db/bootstrap')
        .describe(
          "bootstrap: root-only directory with the migrator's key pair, the owner password and the record unbootstrap reads",
        ),
      bundlePath: z
        .string()
        .default('/etc/visionsuit-agent-db/vs-conf.txt')
        .describe('bootstrap: where the pairing bundle is written (0600)'),
      serviceUser: z
        .string()
        .default('visionsuit-agent-db')
        .describe("bootstrap: the agent's service user, owner of the token and password files (root when absent)"),
      sshdConfig: z
        .string()
        .default('/etc/ssh/sshd_config')
        .describe("bootstrap: sshd's main config, read back with `sshd -T` to prove the drop-in applies"),
      sshdDropInDir: z
        .string()
        .default('/etc/ssh/sshd_config.d')
        .describe("bootstrap: the directory sshd_config includes; the migrator's Match User drop-in goes there"),
      sshd: z.string().default('/usr/sbin/sshd').describe('bootstrap: the sshd binary (for `sshd -t` and `sshd -T`)'),
      sshdReload: z
        .array(z.string())
        .default(['systemctl', 'reload', 'ssh.service'])
        .describe('bootstrap: the command (argv) that makes sshd read its config again'),
      installPackages: z
        .boolean()
        .default(true)
        .describe("bootstrap: install PostgreSQL with the distribution's package manager when it is absent"),
      superuser: z
        .strictObject({
          host: z
            .string()
            .default('/var/run/postgresql')
            .describe('bootstrap superuser connection: socket directory or host'),
          user: z.string().default('postgres').describe('bootstrap superuser connection: role'),
          osUser: z
            .string()
            .default('postgres')
            .describe('bootstrap superuser connection: the Linux user peer authentication expects on the socket'),
          passwordFile: z
            .string()
            .default('')
            .describe('bootstrap superuser connection: password file (0600); empty: peer authentication as osUser'),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type AgentDbConfig = z.output<typeof AgentDbConfigSchema>;

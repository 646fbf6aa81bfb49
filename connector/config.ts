// The external connector's configuration schema. Every key has a default; see
// shared/config.ts for how file, environment and flags are layered over it.
import { z } from 'zod';
import { LinkTimingsSchema, MIN_TIMEOUT_MS, ms, timeoutMs } from '../shared/config.js';

export const ConnectorConfigSchema = z.strictObject({
  listenHost: z.string().default('127.0.0.1').describe("address the app's DATABASE_URL points at"),
  listenPort: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(6432)
    .describe('port the app connects to (0: any free port; the log line "connector listening" names it)'),
  httpPort: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(6433)
    .describe(
      'HTTP on 127.0.0.1: /readyz (aliases /healthz, /primary: 200 or 503, JSON body), /livez, /metrics (Prometheus)',
    ),
  grpcPort: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(6434)
    .describe('gRPC health service (grpc.health.v1) on 127.0.0.1'),
  pairingFile: z
    .string()
    .default('/var/lib/visionsuit-agent-app/pairing.conf')
    .describe('the pairing stored by agent-app (vs-conf.txt format, 0600)'),
  maxConnections: z
    .number()
    .int()
    .min(1)
    .default(200)
    .describe('client connections carried at once; more are refused with SQLSTATE 53300'),
  idleTimeoutMs: ms(
    3_600_000,
    `a client connection with no traffic either way for this long is closed (0: never; otherwise at least ${MIN_TIMEOUT_MS} ms)`,
  ).refine((v) => v === 0 || v >= MIN_TIMEOUT_MS, `idleTimeoutMs is 0 (never) or at least ${MIN_TIMEOUT_MS} ms`),
  startupTimeoutMs: timeoutMs(10_000, 'how long a new client may take to send its startup packet'),
  drainTimeoutMs: timeoutMs(30_000, 'after SIGTERM, how long open connections may take to finish before they are cut'),
  agentDbPollMs: ms(
    2_000,
    "how soon agent-db's health Watch is re-opened after it breaks, and how often the TLS route is probed while the link is down",
  ),
  callTimeoutMs: timeoutMs(5_000, 'deadline of calls to agent-db and of connecting a route'),
  sshDataPath: z
    .enum(['openssh', 'ssh2'])
    .default('openssh')
    .describe(
      "what carries client bytes over SSH: openssh (a supervised OpenSSH master connection that takes each client's socket; as fast as ssh -L) or ssh2 (channels of the connector's own SSH link, in this process)",
    ),
  runDir: z
    .string()
    .default('/run/visionsuit-external-connector')
    .describe(
      "private directory (0700) for the OpenSSH data path: the forwarding key, a known_hosts file written from the pinned host key, the master's control socket",
    ),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info').describe('log level'),
  link: LinkTimingsSchema,
  tlsFallback: z
    .strictObject({
      host: z
        .string()
        .default('')
        .describe(
          'PostgreSQL host name for an optional direct TLS route (verify-full), used for new connections only while the SSH link is down; empty: no such route',
        ),
      port: z.number().int().min(1).max(65535).default(5432).describe('PostgreSQL port of the direct TLS route'),
      caFile: z
        .string()
        .default('')
        .describe(
          'CA certificate (PEM) the server certificate of the direct route must chain to; required with tlsFallback.host',
        ),
    })
    .prefault({}),
});

export type ConnectorConfig = z.output<typeof ConnectorConfigSchema>;

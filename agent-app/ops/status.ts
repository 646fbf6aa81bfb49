// `vsctl status`, inside agent-app: the agent itself, the SSH link, agent-db's
// and PostgreSQL's facts read through the link now, the external connector's
// readiness (/healthz, on a connection of its own), the operation running, and
// whether the app's Prisma files fit where its DATABASE_URL points.
import type { AppStatus } from '../../proto/gen/vsmigrate/app/v1/AppStatus.js';
import type { LinkStatus } from '../../proto/gen/vsmigrate/app/v1/LinkStatus.js';
import type { AgentDbView } from '../../proto/gen/vsmigrate/app/v1/AgentDbView.js';
import type { ConnectorStatus } from '../../proto/gen/vsmigrate/app/v1/ConnectorStatus.js';
import type { Operation } from '../../proto/gen/vsmigrate/app/v1/Operation.js';
import { VsError, toVsError } from '../../shared/errors.js';
import { httpGet } from '../../shared/http-get.js';
import type { Pairing } from '../../shared/bundle.js';
import type { SshLink } from '../../shared/ssh-link.js';
import type { AgentDbClient } from '../link/agent-db-client.js';
import type { PrismaFiles } from '../../proto/gen/vsmigrate/app/v1/PrismaFiles.js';
import { prismaAgreement } from '../host/prisma-switch.js';

export interface StatusSources {
  version: string;
  lifecycleState: string;
  uptimeSeconds: number;
  runDir: string;
  pairing: Pairing | null;
  link: SshLink | null;
  agentDb: AgentDbClient | null;
  /** The external connector's HTTP health (its JSON body carries route and activity). */
  connectorHealthUrl: string;
  /** The operation running now, if any. */
  operation: Operation | null;
  /** The app's schema.prisma and env files, to tell whether they agree. */
  prismaSchema: string;
  envFiles: string[];
}

function prismaFiles(s: StatusSources): PrismaFiles {
  const a = prismaAgreement(s.prismaSchema, s.envFiles);
  return {
    schemaPath: a.schemaPath,
    provider: a.provider ?? '',
    migrationsProvider: a.migrationsProvider ?? '',
    databaseUrl: a.databaseUrl,
    ...(a.problem ? { problem: a.problem.toInfo() } : {}),
  };
}

function linkStatus(s: StatusSources): LinkStatus {
  if (!s.pairing || !s.link) return { state: 'unpaired' };
  const snap = s.link.snapshot();
  return {
    state: snap.state,
    sshHost: s.pairing.ssh.host,
    sshPort: s.pairing.ssh.port,
    sshUser: s.pairing.ssh.user,
    hostKeyFingerprint: s.pairing.ssh.hostKey.fingerprint,
    since: snap.since.toISOString(),
    reconnects: snap.reconnects,
    ...(snap.lastError ? { lastError: snap.lastError.toInfo() } : {}),
  };
}

async function agentDbView(s: StatusSources): Promise<AgentDbView> {
  if (!s.agentDb || !s.link) return { reachable: false, health: 'UNKNOWN' };
  if (s.link.state !== 'up') {
    return {
      reachable: false,
      health: 'UNKNOWN',
      error: new VsError('VS_ERR_LINK_DOWN', `the SSH link is ${s.link.state}`).toInfo(),
    };
  }
  try {
    const [status, view] = await Promise.all([s.agentDb.getStatus(), s.agentDb.refresh()]);
    return { reachable: true, health: view.health, status };
  } catch (err) {
    return { reachable: false, health: s.agentDb.current.health, error: toVsError(err).toInfo() };
  }
}

interface ConnectorHealth {
  status: string;
  route: string | null;
  listen: string;
  activity: {
    openConnections: number;
    bytesToServer: number;
    bytesToClient: number;
    lastRouteChange: string | null;
    lastError: { at: string; message: string } | null;
  };
}

/** The connector's own health answer; not configured when nothing answers there. */
async function connectorStatus(url: string): Promise<ConnectorStatus> {
  let h: ConnectorHealth;
  try {
    // 503 is an answer too: the body says why.
    h = JSON.parse((await httpGet(url, 1_000)).text) as ConnectorHealth;
  } catch {
    return { configured: false };
  }
  return {
    configured: true,
    status: h.status,
    route: h.route ?? 'none',
    listen: h.listen,
    openConnections: h.activity.openConnections,
    bytesToServer: h.activity.bytesToServer,
    bytesToClient: h.activity.bytesToClient,
    lastRouteChange: h.activity.lastRouteChange ?? '',
    ...(h.activity.lastError
      ? {
          lastError: new VsError(
            'VS_ERR_CONNECTOR_ROUTE',
            `${h.activity.lastError.message} (at ${h.activity.lastError.at})`,
          ).toInfo(),
        }
      : {}),
  };
}

/** agent-app's status: itself, the link, and agent-db's and PostgreSQL's facts read through it now. */
export async function getStatus(s: StatusSources): Promise<AppStatus> {
  return {
    agent: {
      version: s.version,
      state: s.lifecycleState,
      uptimeSeconds: s.uptimeSeconds,
      paired: s.pairing !== null,
      runDir: s.runDir,
    },
    link: linkStatus(s),
    agentDb: await agentDbView(s),
    connector: await connectorStatus(s.connectorHealthUrl),
    prisma: prismaFiles(s),
    ...(s.operation ? { currentOperation: s.operation } : {}),
  };
}

// agent-db's GetStatus: facts read from PostgreSQL now (version, settings,
// connections, disk), or why they could not be read.
import type { DbStatus } from '../proto/gen/vsmigrate/db/v1/DbStatus.js';
import { toVsError } from '../shared/errors.js';
import type { Postgres } from './postgres.js';

/** agent-db's status: facts read from PostgreSQL now, or why they could not be read. */
export async function getStatus(pg: Postgres, agentVersion: string, uptimeSeconds: number): Promise<DbStatus> {
  try {
    const f = await pg.facts();
    return {
      agentVersion,
      uptimeSeconds,
      postgresReachable: true,
      serverVersion: f.serverVersion,
      serverVersionNum: f.serverVersionNum,
      passwordEncryption: f.passwordEncryption,
      ssl: f.ssl,
      listenAddresses: f.listenAddresses,
      maxConnections: f.maxConnections,
      connections: f.connections,
      dataDirectory: f.dataDirectory,
      diskFreeBytes: String(f.diskFreeBytes),
      diskTotalBytes: String(f.diskTotalBytes),
      sslCertNotAfter: f.sslCertNotAfter,
    };
  } catch (err) {
    const vs = toVsError(err);
    return { agentVersion, uptimeSeconds, postgresReachable: false, error: vs.toInfo() };
  }
}

// `vsctl pair`: prove a pairing bundle works before agent-app keeps it. The
// bundle is read here (so its mode is checked and its secrets never pass
// through vsctl), the link is opened with the pinned host key, agent-db must
// accept the token, and the owner role must log in to PostgreSQL through the
// tunnel. Only then is it stored, 0600, in agent-app's own file.
import { readFile, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import type { PairResponse } from '../../proto/gen/vsmigrate/app/v1/PairResponse.js';
import { readBundleFile } from '../../shared/bundle.js';
import type { Pairing } from '../../shared/bundle.js';
import type { LinkTimings } from '../../shared/config.js';
import { VsError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { writeFileAtomic } from '../../shared/atomic-file.js';
import { AgentDbClient } from '../link/agent-db-client.js';
import { linkFor, ownerLogin } from '../link/paired.js';

export interface PairInput {
  bundlePath: string;
  pairingFile: string;
  link: LinkTimings;
  callTimeoutMs: number;
  log: Logger;
}

export async function pair(input: PairInput): Promise<{ pairing: Pairing; response: PairResponse }> {
  if (!isAbsolute(input.bundlePath))
    throw new VsError('VS_ERR_USAGE', `the bundle path must be absolute (got ${input.bundlePath})`);
  const pairing = await readBundleFile(input.bundlePath);
  const link = linkFor(
    pairing,
    { ...input.link, reconnectMaxMs: Math.min(input.link.reconnectMaxMs, 2_000) },
    input.log,
  );
  let agentDb: AgentDbClient | null = null;
  try {
    await link.start();
    await link.waitUntilUp(input.link.connectTimeoutMs + 5_000);
    agentDb = new AgentDbClient(link.localPort('agent-db'), pairing.agentDb.token, input.callTimeoutMs, input.log);
    const status = await agentDb.getStatus();
    if (!status.postgresReachable) {
      throw new VsError(
        'VS_ERR_PG_UNREACHABLE',
        `agent-db answers, but cannot reach PostgreSQL: ${status.error?.message ?? 'unknown'}`,
      );
    }
    await ownerLogin(pairing, link, input.callTimeoutMs);
  } finally {
    agentDb?.close();
    await link.stop();
  }
  await mkdir(dirname(input.pairingFile), { recursive: true, mode: 0o700 });
  await writeFileAtomic(input.pairingFile, await readFile(input.bundlePath), { mode: 0o600 });
  input.log.info(
    { sshHost: pairing.ssh.host, hostKey: pairing.ssh.hostKey.fingerprint, pairingFile: input.pairingFile },
    'paired',
  );
  return {
    pairing,
    response: {
      hostKeyFingerprint: pairing.ssh.hostKey.fingerprint,
      sshHost: pairing.ssh.host,
      postgresDatabase: pairing.postgres.database,
      postgresUser: pairing.postgres.user,
      storedAt: input.pairingFile,
    },
  };
}

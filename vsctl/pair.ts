// `vsctl pair --bundle FILE` and `vsctl preflight`: one call each to agent-app,
// printed for a person or, with --json, for a machine.
import { resolve } from 'node:path';
import type { PairResponse__Output } from '../proto/gen/vsmigrate/app/v1/PairResponse.js';
import type { PreflightReport__Output } from '../proto/gen/vsmigrate/app/v1/PreflightReport.js';
import { call } from '../shared/grpc.js';
import { EXIT } from '../shared/program.js';
import { withAgentApp } from './client.js';
import type { VsctlConfig } from './config.js';

// Pairing opens an SSH link and logs in through it; preflight reads the whole SQLite file.
const SLOW_CALL_MS = 10 * 60_000;

export async function pairCommand(
  config: VsctlConfig,
  bundle: string,
  json: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  const bundlePath = resolve(bundle);
  return withAgentApp(config.socketPath, async (client) => {
    const r = await call<PairResponse__Output>((md, opts, cb) => client.pair({ bundlePath }, md, opts, cb), {
      deadlineMs: Math.max(config.timeoutMs, 60_000),
    });
    if (json) out.write(JSON.stringify(r, null, 2) + '\n');
    else {
      out.write(
        [
          `paired with ${r.sshHost}: database ${r.postgresDatabase} as ${r.postgresUser} (link, agent-db token and PostgreSQL login checked)`,
          `host key ${r.hostKeyFingerprint}: it should equal \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on the PostgreSQL host`,
          `stored in ${r.storedAt} (0600)`,
          `the bundle ${bundlePath} is no longer needed: delete it (shred -u ${bundlePath}), and the copy on the PostgreSQL host too`,
          r.connectorRestarted
            ? `restarted ${r.connectorUnit} on the new pairing`
            : `the external connector reads the pairing at start: systemctl restart ${r.connectorUnit} (it is not a unit here, or could not be restarted: see journalctl -u visionsuit-agent-app)`,
          '',
        ].join('\n'),
      );
    }
    return EXIT.ok;
  });
}

export function renderPreflight(r: PreflightReport__Output): string {
  const w = Math.max(...r.checks.map((c) => c.name.length));
  const lines = r.checks.map((c) => {
    const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' }[c.status] ?? c.status;
    const head = `  ${mark}  ${c.name.padEnd(w)}  ${c.detail}`;
    return c.status === 'fail' && c.error?.code
      ? `${head}\n  ${' '.repeat(6 + w)}  ${c.error.code}; next: ${c.error.hint}`
      : head;
  });
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  lines.push('', r.ok ? 'verdict: ready to migrate' : `verdict: BLOCKED: ${failed} check(s) failed`);
  return lines.join('\n') + '\n';
}

export async function preflightCommand(
  config: VsctlConfig,
  sqlitePath: string | undefined,
  json: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  return withAgentApp(config.socketPath, async (client) => {
    const r = await call<PreflightReport__Output>(
      (md, opts, cb) => client.preflight({ sqlitePath: sqlitePath ? resolve(sqlitePath) : '' }, md, opts, cb),
      {
        deadlineMs: Math.max(config.timeoutMs, SLOW_CALL_MS),
      },
    );
    out.write(json ? JSON.stringify(r, null, 2) + '\n' : renderPreflight(r));
    return r.ok ? EXIT.ok : EXIT.unhealthy;
  });
}

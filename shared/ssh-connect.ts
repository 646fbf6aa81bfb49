// One SSH connection made the only way vsmigrate makes them: the pinned host
// key and the one key pair, no agent, no password, no keyboard-interactive,
// and the handshake's failure as our error (a different host key, a refused
// key, an unreachable server). The link (ssh-link.ts) and vsctl's fleet both
// connect through it.
import { Client } from 'ssh2';
import type { ConnectConfig } from 'ssh2';
import { VsError } from './errors.js';
import { fingerprint, sameKey } from './ssh-host-key.js';
import type { PinnedHostKey } from './ssh-host-key.js';

export interface PinnedEndpoint {
  host: string;
  port: number;
  username: string;
  privateKey: Buffer;
  hostKey: PinnedHostKey;
}

export interface PinnedConnectOptions extends PinnedEndpoint {
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax?: number;
}

/**
 * Start a connection; `ready` resolves once the handshake and the login are
 * done, or rejects with VS_ERR_SSH_HOST_KEY_MISMATCH, VS_ERR_SSH_AUTH,
 * VS_ERR_SSH_CONNECT or VS_ERR_LINK_DOWN. The client is returned at once, so
 * a caller can end it while it connects; after `ready`, its errors and its
 * close are the caller's to handle.
 */
export function connectPinned(o: PinnedConnectOptions): { client: Client; ready: Promise<void> } {
  const client = new Client();
  let presented: Buffer | null = null;
  const where = `${o.host}:${o.port}`;
  const ready = new Promise<void>((resolve, reject) => {
    const onError = (err: Error & { level?: string }) => {
      cleanup();
      if (presented && !sameKey(o.hostKey, presented)) {
        reject(
          new VsError(
            'VS_ERR_SSH_HOST_KEY_MISMATCH',
            `SSH host key mismatch for ${where}: expected ${o.hostKey.fingerprint}, the server presented ${fingerprint(presented)}`,
            {
              details: { expected: o.hostKey.fingerprint, presented: fingerprint(presented) },
            },
          ),
        );
      } else if (err.level === 'client-authentication') {
        reject(
          new VsError('VS_ERR_SSH_AUTH', `the SSH server at ${where} refused the key for user ${o.username}`, {
            cause: err,
          }),
        );
      } else {
        reject(new VsError('VS_ERR_SSH_CONNECT', `SSH connection to ${where} failed: ${err.message}`, { cause: err }));
      }
    };
    const onClose = () => {
      cleanup();
      reject(new VsError('VS_ERR_LINK_DOWN', `SSH connection to ${where} closed`));
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      client.off('error', onError).off('close', onClose).off('ready', onReady);
      // Until the caller listens, an error must not crash the process.
      client.on('error', () => {});
    };
    client.on('error', onError).on('close', onClose).on('ready', onReady);
  });
  const config: ConnectConfig = {
    host: o.host,
    port: o.port,
    username: o.username,
    privateKey: o.privateKey,
    readyTimeout: o.readyTimeoutMs,
    keepaliveInterval: o.keepaliveIntervalMs,
    ...(o.keepaliveCountMax !== undefined ? { keepaliveCountMax: o.keepaliveCountMax } : {}),
    hostVerifier: (key: Buffer) => {
      presented = key;
      return sameKey(o.hostKey, key);
    },
    tryKeyboard: false,
  };
  client.connect(config);
  return { client, ready };
}

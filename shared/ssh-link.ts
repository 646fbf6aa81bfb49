// The SSH link to the PostgreSQL host. One ssh2 connection with a pinned host key
// and keepalive, reconnected with backoff after a drop, and local TCP listeners on
// 127.0.0.1 that forward each connection to a fixed port on the far side's
// loopback (direct-tcpip). Nothing else crosses it.
//
// States: connecting → up → down → connecting ... ; `failed` is final for a host
// key mismatch (never retried: a changed key needs a person); `stopped` after stop().
// `up` means a real channel was opened through sshd to the first forward's target,
// not that a timer ran out.
import { EventEmitter, once } from 'node:events';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { Client } from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { VsError, toVsError } from './errors.js';
import type { Logger } from './logger.js';
import type { Pairing } from './bundle.js';
import type { PinnedHostKey } from './ssh-host-key.js';
import { connectPinned } from './ssh-connect.js';

export type LinkState = 'connecting' | 'up' | 'down' | 'failed' | 'stopped';

export interface ForwardSpec {
  /** A name for logs and lookups ("agent-db", "postgres"). */
  name: string;
  remoteHost: string;
  remotePort: number;
  /** Local port on 127.0.0.1; 0 picks a free one. */
  localPort?: number;
  /** Bind a local listener (default). Without one, channels are opened with openChannel(). */
  listen?: boolean;
}

export interface SshLinkOptions {
  host: string;
  port: number;
  username: string;
  privateKey: Buffer;
  hostKey: PinnedHostKey;
  forwards: ForwardSpec[];
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  connectTimeoutMs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  log: Logger;
}

/** The connection half of a link's options, from a pairing. */
export function pairingEndpoint(
  pairing: Pairing,
): Pick<SshLinkOptions, 'host' | 'port' | 'username' | 'privateKey' | 'hostKey'> {
  return {
    host: pairing.ssh.host,
    port: pairing.ssh.port,
    username: pairing.ssh.user,
    privateKey: pairing.ssh.privateKey,
    hostKey: pairing.ssh.hostKey,
  };
}

export interface LinkSnapshot {
  state: LinkState;
  since: Date;
  reconnects: number;
  lastError: VsError | null;
  forwards: Array<{ name: string; localPort: number; remotePort: number }>;
}

export class SshLink extends EventEmitter {
  private readonly opts: SshLinkOptions;
  private readonly log: Logger;
  private client: Client | null = null;
  private readonly forwardServers = new Map<string, { server: net.Server; spec: ForwardSpec }>();
  private readonly sockets = new Set<net.Socket>();
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs: number;
  private _state: LinkState = 'down';
  private since = new Date();
  private reconnects = 0;
  private lastError: VsError | null = null;

  constructor(opts: SshLinkOptions) {
    super();
    this.opts = opts;
    this.log = opts.log.child({ component: 'ssh-link', sshHost: opts.host, sshPort: opts.port });
    this.retryDelayMs = opts.reconnectInitialMs;
  }

  get state(): LinkState {
    return this._state;
  }

  snapshot(): LinkSnapshot {
    return {
      state: this._state,
      since: this.since,
      reconnects: this.reconnects,
      lastError: this.lastError,
      forwards: [...this.forwardServers.values()].map(({ server, spec }) => ({
        name: spec.name,
        localPort: (server.address() as net.AddressInfo).port,
        remotePort: spec.remotePort,
      })),
    };
  }

  /** The local port that forwards to the named target. */
  localPort(name: string): number {
    const entry = this.forwardServers.get(name);
    if (!entry) throw new Error(`no forward named ${name}`);
    return (entry.server.address() as net.AddressInfo).port;
  }

  /** A channel to the named forward's target, over the link as it is now; rejects unless the link is up. */
  async openChannel(name: string): Promise<ClientChannel> {
    const spec = this.opts.forwards.find((f) => f.name === name);
    if (!spec) throw new Error(`no forward named ${name}`);
    const client = this.client;
    if (this._state !== 'up' || !client)
      throw new VsError('VS_ERR_LINK_DOWN', `the SSH link is ${this._state}`, {
        details: { lastError: this.lastError?.message ?? null },
      });
    return openChannel(client, spec);
  }

  /** Bind the local listeners, then connect. Returns once the listeners are bound. */
  async start(): Promise<void> {
    for (const spec of this.opts.forwards) {
      if (spec.listen === false) continue;
      const server = net.createServer({ allowHalfOpen: true }, (socket) => this.forward(socket, spec));
      server.listen(spec.localPort ?? 0, '127.0.0.1');
      await once(server, 'listening');
      this.forwardServers.set(spec.name, { server, spec });
    }
    this.connect();
  }

  /** Resolves when the link is up; rejects on `failed`, `stopped` or the timeout. */
  async waitUntilUp(timeoutMs: number): Promise<void> {
    if (this._state === 'up') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(
          this.lastError ?? new VsError('VS_ERR_LINK_DOWN', `the SSH link did not come up within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const onState = (state: LinkState) => {
        if (state === 'up') {
          cleanup();
          resolve();
        } else if (state === 'failed' || state === 'stopped') {
          cleanup();
          reject(this.lastError ?? new VsError('VS_ERR_LINK_DOWN', `the SSH link is ${state}`));
        }
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.off('state', onState);
      };
      this.on('state', onState);
    });
  }

  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setState('stopped');
    for (const socket of this.sockets) socket.destroy();
    const closing = [...this.forwardServers.values()].map(
      ({ server }) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    this.client?.end();
    this.client = null;
    await Promise.all(closing);
  }

  private setState(state: LinkState, error?: VsError): void {
    if (error) this.lastError = error;
    if (state === this._state) return;
    const previous = this._state;
    this._state = state;
    this.since = new Date();
    const fields = { from: previous, to: state, errCode: error?.code, errMessage: error?.message };
    if (state === 'up' || state === 'stopped') this.log.info(fields, 'ssh link state changed');
    else this.log.warn(fields, 'ssh link state changed');
    this.emit('state', state);
  }

  private connect(): void {
    if (this._state === 'stopped' || this._state === 'failed') return;
    this.setState('connecting');
    const { client, ready } = connectPinned({
      host: this.opts.host,
      port: this.opts.port,
      username: this.opts.username,
      privateKey: this.opts.privateKey,
      hostKey: this.opts.hostKey,
      readyTimeoutMs: this.opts.connectTimeoutMs,
      keepaliveIntervalMs: this.opts.keepaliveIntervalMs,
      keepaliveCountMax: this.opts.keepaliveCountMax,
    });
    this.client = client;
    let settled = false;

    const lost = (err: VsError) => {
      if (settled) return;
      settled = true;
      if (this.client === client) this.client = null;
      client.removeAllListeners();
      client.on('error', () => {});
      client.end();
      if (this._state === 'stopped') return;
      if (err.code === 'VS_ERR_SSH_HOST_KEY_MISMATCH') {
        this.setState('failed', err);
        return;
      }
      this.setState('down', err);
      this.scheduleReconnect();
    };

    ready.then(
      () => {
        if (settled) return;
        // Many small request/response exchanges share this connection: Nagle's
        // algorithm would hold each reply back for the previous one's ACK.
        client.setNoDelay(true);
        client.on('error', (err: Error) =>
          lost(
            new VsError(
              'VS_ERR_SSH_CONNECT',
              `SSH connection to ${this.opts.host}:${this.opts.port} failed: ${err.message}`,
              { cause: err },
            ),
          ),
        );
        client.on('close', () =>
          lost(new VsError('VS_ERR_LINK_DOWN', `SSH connection to ${this.opts.host}:${this.opts.port} closed`)),
        );
        this.probe(client).then(
          () => {
            if (settled || this._state === 'stopped') return;
            this.retryDelayMs = this.opts.reconnectInitialMs;
            this.lastError = null;
            this.setState('up');
          },
          (err: unknown) => lost(toVsError(err)),
        );
      },
      (err: unknown) => lost(toVsError(err)),
    );
  }

  /** Open one channel to the first forward's target: proof that sshd forwards for us. */
  private async probe(client: Client): Promise<void> {
    const spec = this.opts.forwards[0];
    if (!spec) return;
    const channel = await openChannel(client, spec);
    channel.destroy();
  }

  private scheduleReconnect(): void {
    if (this.retryTimer || this._state === 'stopped' || this._state === 'failed') return;
    const jitter = 0.8 + Math.random() * 0.4;
    const delay = Math.round(this.retryDelayMs * jitter);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.opts.reconnectMaxMs);
    this.log.info({ delayMs: delay }, 'ssh link reconnect scheduled');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.reconnects++;
      this.connect();
    }, delay);
  }

  /**
   * Carry one local connection over a direct-tcpip channel. Half-close is passed
   * through in both directions (a client that sends FIN still gets its reply),
   * and the pair is torn down when both directions have ended or either fails.
   */
  private forward(socket: net.Socket, spec: ForwardSpec): void {
    const client = this.client;
    if (this._state !== 'up' || !client) {
      // Refuse at once so a client's own retry logic sees a fast error, not a hang.
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.pause();
    openChannel(client, spec).then(
      (channel) => {
        if (socket.destroyed) {
          channel.destroy();
          return;
        }
        pipeDuplex(socket, channel);
        socket.resume();
      },
      (err: unknown) => {
        this.log.warn(
          { forward: spec.name, errCode: toVsError(err).code, errMessage: toVsError(err).message },
          'forward refused',
        );
        socket.destroy();
      },
    );
  }
}

function openChannel(client: Client, spec: ForwardSpec): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, spec.remoteHost, spec.remotePort, (err, channel) => {
      if (err) {
        const reason = (err as Error & { reason?: number }).reason;
        reject(
          new VsError(
            'VS_ERR_SSH_FORWARD_REFUSED',
            `sshd would not open a forward to ${spec.remoteHost}:${spec.remotePort} (${spec.name}): ${err.message}`,
            { details: { forward: spec.name, reason: reason ?? null }, cause: err },
          ),
        );
      } else {
        resolve(channel);
      }
    });
  });
}

/**
 * Join a client socket and its upstream (an SSH channel, or a TLS socket).
 * Each direction ends on its own (an EOF on one side becomes an EOF on the
 * other, and the other direction keeps flowing); buffered data is flushed
 * before a side is closed.
 */
export function pipeDuplex(socket: Duplex, upstream: Duplex): void {
  const abort = () => {
    socket.destroy();
    upstream.destroy();
  };
  socket.pipe(upstream, { end: false });
  upstream.pipe(socket, { end: false });
  socket.on('end', () => upstream.end()); // over SSH, an EOF; the reply still flows back
  upstream.on('end', () => socket.end());
  upstream.on('close', () => socket.end());
  socket.on('close', () => upstream.destroy());
  socket.on('error', abort);
  upstream.on('error', abort);
}

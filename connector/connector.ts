// The connector's data path: a listener on 127.0.0.1 that carries each client
// connection to PostgreSQL over a route — SSH (by default the OpenSSH master
// connection of openssh.ts, which takes the client's socket itself; or one
// direct-tcpip channel of the in-process link per connection), or, only while
// the link is down and only when configured, a direct TLS connection checked
// like sslmode=verify-full. A
// connection no route can take, or one beyond the limit, is refused at once
// with a PostgreSQL error the client shows (no hang for Prisma's retries).
import { EventEmitter, once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { toVsError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { SshLink } from '../shared/ssh-link.js';
import { pipeDuplex } from '../shared/ssh-link.js';
import { readStartup, refuse, requestTls } from './pg-wire.js';
import { socketBytes } from './openssh.js';
import type { OpensshMaster } from './openssh.js';
import type { ChildProcess } from 'node:child_process';

export type Route = 'ssh' | 'tls';

export interface TlsRoute {
  host: string;
  port: number;
  ca: Buffer;
}

export interface ConnectorOptions {
  host: string;
  port: number;
  link: SshLink | null;
  /** The OpenSSH data path, and where it carries connections to; null: the link's own channels. */
  openssh: { master: OpensshMaster; host: string; port: number } | null;
  tls: TlsRoute | null;
  maxConnections: number;
  idleTimeoutMs: number;
  startupTimeoutMs: number;
  connectTimeoutMs: number;
  log: Logger;
}

export interface Activity {
  openConnections: number;
  totalConnections: number;
  refusedConnections: number;
  bytesToServer: number;
  bytesToClient: number;
  lastRoute: Route | null;
  lastRouteChange: string | null;
  lastError: { at: string; message: string } | null;
}

export class Connector extends EventEmitter {
  private readonly server: net.Server;
  private readonly open = new Set<net.Socket>();
  /** Connections handed to OpenSSH: their mux client, and the kernel's byte counts last read. */
  private readonly handedOver = new Map<net.Socket, { child: ChildProcess; bytes: SocketCount; lastChange: number }>();
  private counting: NodeJS.Timeout | null = null;
  private accepting = true;
  private readonly stats: Activity = {
    openConnections: 0,
    totalConnections: 0,
    refusedConnections: 0,
    bytesToServer: 0,
    bytesToClient: 0,
    lastRoute: null,
    lastRouteChange: null,
    lastError: null,
  };
  /** Whether the TLS route answered its last probe (null: not probed, or not configured). */
  tlsReachable: boolean | null = null;

  constructor(private readonly opts: ConnectorOptions) {
    super();
    // Paused: a socket handed to OpenSSH must not have had a byte read here.
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(socket));
  }

  /** host:port of the listener (the configured port until it is bound). */
  get address(): string {
    const a = this.server.address();
    return `${this.opts.host}:${a && typeof a === 'object' ? a.port : this.opts.port}`;
  }

  get activity(): Activity {
    let [toServer, toClient] = [this.stats.bytesToServer, this.stats.bytesToClient];
    for (const h of this.handedOver.values())
      [toServer, toClient] = [toServer + h.bytes.received, toClient + h.bytes.acked];
    return { ...this.stats, bytesToServer: toServer, bytesToClient: toClient, openConnections: this.open.size };
  }

  /** The route a new connection would take now, or null when none can. */
  currentRoute(): Route | null {
    if (this.opts.link?.state === 'up' && (!this.opts.openssh || this.opts.openssh.master.up)) return 'ssh';
    if (this.opts.tls && this.tlsReachable !== false) return 'tls';
    return null;
  }

  async listen(): Promise<number> {
    this.server.listen(this.opts.port, this.opts.host);
    await once(this.server, 'listening');
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Stop accepting; wait for open connections up to the budget, then cut the rest. */
  async drain(budgetMs: number): Promise<'drained' | 'forced'> {
    this.accepting = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const deadline = Date.now() + budgetMs;
    while (this.open.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const forced = this.open.size > 0;
    if (forced) this.opts.log.warn({ open: this.open.size }, 'drain budget spent; closing the remaining connections');
    for (const h of this.handedOver.values()) h.child.kill();
    for (const s of this.open) s.destroy();
    if (this.counting) clearInterval(this.counting);
    await closed;
    return forced ? 'forced' : 'drained';
  }

  /** Connect the TLS route once, to know whether it would carry a connection. */
  async probeTls(): Promise<boolean> {
    if (!this.opts.tls) return false;
    try {
      const s = await this.dialTls();
      s.destroy();
      this.tlsReachable = true;
    } catch (err) {
      this.noteError(`TLS route: ${(err as Error).message}`);
      this.tlsReachable = false;
    }
    return this.tlsReachable;
  }

  private noteError(message: string): void {
    this.stats.lastError = { at: new Date().toISOString(), message };
  }

  private refuseWith(socket: net.Socket, sqlstate: string, message: string): void {
    this.stats.refusedConnections++;
    this.noteError(message);
    this.opts.log.warn({ sqlstate, reason: message }, 'client connection refused');
    void refuse(socket, sqlstate, `vsmigrate external connector: ${message}`, this.opts.startupTimeoutMs);
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => {});
    socket.setNoDelay(true);
    if (!this.accepting) return this.refuseWith(socket, '57P01', 'shutting down; connect again in a moment');
    if (this.open.size >= this.opts.maxConnections) {
      return this.refuseWith(
        socket,
        '53300',
        `too many connections (the connector's limit is ${this.opts.maxConnections}; see maxConnections)`,
      );
    }
    const route = this.currentRoute();
    if (!route) {
      const why = this.opts.tls
        ? 'the SSH link is down and the TLS route does not answer'
        : 'the SSH link to the PostgreSQL host is down and no fallback route is configured';
      return this.refuseWith(socket, '08006', `no route to PostgreSQL: ${why}`);
    }
    this.open.add(socket);
    this.stats.totalConnections++;
    socket.on('close', () => this.open.delete(socket));
    if (route === 'ssh' && this.opts.openssh) return this.handOver(socket, this.opts.openssh);
    socket.pause();
    this.carry(socket, route).catch((err: unknown) => {
      if (err instanceof ClientGone) {
        // A client (or a TCP health check) that left before its startup packet is no failure of ours.
        this.opts.log.debug({ reason: err.message }, 'client left before starting');
        socket.destroy();
        return;
      }
      const message = `${route} route: ${toVsError(err).message}`;
      this.noteError(message);
      this.opts.log.warn({ route, errMessage: message }, 'connection could not be carried');
      if (!socket.destroyed) {
        this.stats.refusedConnections++;
        socket.destroy();
      }
    });
  }

  private async carry(socket: net.Socket, route: Route): Promise<void> {
    // The startup packet is read here so that an encryption request is
    // answered by the connector, whatever the route.
    const { packet } = await readStartup(socket, this.opts.startupTimeoutMs).catch((err: Error) => {
      throw new ClientGone(err.message);
    });
    const upstream: Duplex = route === 'ssh' ? await this.opts.link!.openChannel('postgres') : await this.dialTls();
    if (socket.destroyed) {
      upstream.destroy();
      return;
    }
    this.noteRoute(route);
    upstream.write(packet);
    this.stats.bytesToServer += packet.length;
    socket.on('data', (d: Buffer) => (this.stats.bytesToServer += d.length));
    upstream.on('data', (d: Buffer) => (this.stats.bytesToClient += d.length));
    if (this.opts.idleTimeoutMs > 0) {
      // Traffic either way counts: a long query with a silent client is not idle.
      let last = Date.now();
      const touch = () => (last = Date.now());
      socket.on('data', touch);
      upstream.on('data', touch);
      const timer = setInterval(
        () => {
          if (Date.now() - last < this.opts.idleTimeoutMs) return;
          this.opts.log.info({ idleMs: Date.now() - last }, 'closing an idle client connection');
          socket.destroy();
          upstream.destroy();
        },
        Math.min(this.opts.idleTimeoutMs, 1_000),
      );
      socket.on('close', () => clearInterval(timer));
    }
    pipeDuplex(socket, upstream);
    socket.resume();
  }

  /**
   * Hand the client's socket, not one byte of it read, to an OpenSSH mux client:
   * the master moves its bytes from then on. When the mux client ends, the
   * channel has closed: the kernel's final counts are added and the socket closed.
   */
  private handOver(socket: net.Socket, o: NonNullable<ConnectorOptions['openssh']>): void {
    this.noteRoute('ssh');
    const child = o.master.carry(socket, o.host, o.port);
    const entry = { child, bytes: { received: 0, acked: 0 }, lastChange: Date.now() };
    this.handedOver.set(socket, entry);
    child.on('error', (err) => {
      // No mux client (ssh missing, no process slot): it never runs, so no exit follows.
      this.noteError(`ssh route: ${err.message}`);
      this.handedOver.delete(socket);
      socket.destroy();
    });
    child.on('exit', () => {
      void this.count().finally(() => {
        this.handedOver.delete(socket);
        this.stats.bytesToServer += entry.bytes.received;
        this.stats.bytesToClient += entry.bytes.acked;
        socket.destroy();
      });
    });
    this.counting ??= setInterval(() => void this.count(), 1_000);
  }

  /** Read the kernel's byte counts of the handed-over sockets; close one idle past idleTimeoutMs. */
  private async count(): Promise<void> {
    if (this.handedOver.size === 0) {
      if (this.counting) clearInterval(this.counting);
      this.counting = null;
      return;
    }
    const port = (this.server.address() as net.AddressInfo | null)?.port;
    if (!port) return;
    const now = await socketBytes(port);
    for (const [socket, h] of this.handedOver) {
      const b = socket.remotePort !== undefined ? now.get(socket.remotePort) : undefined;
      if (b && (b.received !== h.bytes.received || b.acked !== h.bytes.acked)) {
        h.bytes = b;
        h.lastChange = Date.now();
      } else if (this.opts.idleTimeoutMs > 0 && Date.now() - h.lastChange >= this.opts.idleTimeoutMs) {
        this.opts.log.info({ idleMs: Date.now() - h.lastChange }, 'closing an idle client connection');
        h.child.kill();
      }
    }
  }

  private noteRoute(route: Route): void {
    if (this.stats.lastRoute === route) return;
    if (route === 'tls')
      this.opts.log.warn({ route }, 'carrying new connections on the direct TLS route: the SSH link is down');
    else if (this.stats.lastRoute) this.opts.log.info({ route }, 'carrying new connections on the SSH link again');
    this.stats.lastRoute = route;
    this.stats.lastRouteChange = new Date().toISOString();
    this.emit('route', route);
  }

  /** A TCP connection to the server, upgraded to TLS checked against the CA and host name. */
  private async dialTls(): Promise<tls.TLSSocket> {
    const t = this.opts.tls!;
    const raw = net.connect({ host: t.host, port: t.port });
    raw.on('error', () => {});
    const timer = setTimeout(
      () => raw.destroy(new Error(`no answer within ${this.opts.connectTimeoutMs} ms`)),
      this.opts.connectTimeoutMs,
    );
    try {
      await Promise.race([
        once(raw, 'connect'),
        once(raw, 'close').then(() => Promise.reject(new Error(`cannot reach ${t.host}:${t.port}`))),
      ]);
      await requestTls(raw, this.opts.connectTimeoutMs);
      // checkServerIdentity (Node's default) holds the certificate to the host name: verify-full.
      const secure = tls.connect({
        socket: raw,
        ca: t.ca,
        servername: t.host,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      });
      secure.on('error', () => {});
      await Promise.race([
        once(secure, 'secureConnect'),
        once(secure, 'error').then(([e]) => Promise.reject(e as Error)),
      ]);
      return secure;
    } catch (err) {
      raw.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

class ClientGone extends Error {}

type SocketCount = { received: number; acked: number };

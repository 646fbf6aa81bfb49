// agent-db's health as one Watch stream of the standard grpc.health.v1 service
// reports it, through the link's forward: SERVING while PostgreSQL answers,
// NOT_SERVING when it does not, UNKNOWN (with the reason) while the stream is
// broken; re-opened after `retryMs`. agent-app and the connector both follow it.
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { loadContract, tokenMetadata } from './grpc.js';
import type { ServingStatus } from './grpc.js';
import { VsError, fromServiceError } from './errors.js';
import type { Logger } from './logger.js';

/** agent-db's health as its Watch stream reports it; UNKNOWN while the stream is broken. */
export class AgentDbWatch extends EventEmitter {
  private status: ServingStatus = 'UNKNOWN';
  /** Why the stream broke, while it is broken. */
  lastError: VsError | null = null;
  private call: grpc.ClientReadableStream<unknown> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly client: InstanceType<ReturnType<typeof loadContract>['health']['grpc']['health']['v1']['Health']>;

  constructor(
    target: string,
    private readonly token: string,
    private readonly retryMs: number,
    private readonly log: Logger,
  ) {
    super();
    const { health } = loadContract();
    // A subchannel of its own: grpc-js shares subchannels between clients of one
    // target, and this stream's failed connects while the link is down would put
    // the one-shot calls of other clients (checkHealth) into its backoff.
    this.client = new health.grpc.health.v1.Health(target, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
  }

  get current(): ServingStatus {
    return this.status;
  }

  start(): void {
    if (this.closed || this.call) return;
    const call = this.client.watch({ service: '' }, tokenMetadata(this.token));
    this.call = call as grpc.ClientReadableStream<unknown>;
    call.on('data', (m: { status?: string }) => this.set((m.status as ServingStatus) ?? 'UNKNOWN'));
    const broken = (err?: grpc.ServiceError) => {
      if (this.call !== call) return;
      this.call = null;
      this.set(
        'UNKNOWN',
        err ? fromServiceError(err) : new VsError('VS_ERR_AGENT_UNREACHABLE', "agent-db's health stream ended"),
      );
      if (!this.closed) this.timer = setTimeout(() => this.start(), this.retryMs);
    };
    call.on('error', broken);
    call.on('end', () => broken());
  }

  /** Re-open the stream now (the link came back). */
  restart(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.call?.cancel();
    this.call = null;
    this.start();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.call?.cancel();
    this.client.close();
  }

  private set(status: ServingStatus, error: VsError | null = null): void {
    this.lastError = error;
    if (status === this.status) return;
    this.log.info({ agentDbHealth: status, was: this.status }, 'agent-db health changed');
    this.status = status;
    this.emit('health', status);
  }
}

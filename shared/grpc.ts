// gRPC plumbing shared by the agents and vsctl: loading the contract, the one
// adapter every handler goes through, the token check for agent-db, the health
// service, promise-returning client calls, and the three-step server shutdown.
import { fileURLToPath } from 'node:url';
import { timingSafeEqual, createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import type { ProtoGrpcType as DbProto } from '../proto/gen/agent_db.js';
import type { ProtoGrpcType as AppProto } from '../proto/gen/agent_app.js';
import type { ProtoGrpcType as HealthProto } from '../proto/gen/health.js';
import type { HealthCheckResponse__Output } from '../proto/gen/grpc/health/v1/HealthCheckResponse.js';
import { VsError, toServiceError, toVsError, fromServiceError } from './errors.js';
import type { Logger } from './logger.js';

export { HealthImplementation };
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING';

const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));

// The same options as the `proto:gen` script, so the generated types describe
// what the loader produces.
const LOADER_OPTIONS: protoLoader.Options = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

let contract: { db: DbProto; app: AppProto; health: HealthProto } | null = null;

export function loadContract(): { db: DbProto; app: AppProto; health: HealthProto } {
  if (!contract) {
    const db = grpc.loadPackageDefinition(
      protoLoader.loadSync('vsmigrate/db/v1/agent_db.proto', LOADER_OPTIONS),
    ) as unknown as DbProto;
    const app = grpc.loadPackageDefinition(
      protoLoader.loadSync('vsmigrate/app/v1/agent_app.proto', LOADER_OPTIONS),
    ) as unknown as AppProto;
    const health = grpc.loadPackageDefinition(
      protoLoader.loadSync(healthProtoPath, { ...LOADER_OPTIONS, includeDirs: [] }),
    ) as unknown as HealthProto;
    contract = { db, app, health };
  }
  return contract;
}

/**
 * Wrap an async handler: the reply or our error as a status. Unknown errors are
 * logged with their cause and sent as INTERNAL with a generic message.
 */
export function unary<Req, Res>(
  log: Logger,
  method: string,
  handler: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const started = process.hrtime.bigint();
    handler(call.request, call).then(
      (response) => {
        log.debug({ method, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'call finished');
        callback(null, response);
      },
      (err: unknown) => {
        const vs = toVsError(err);
        const fields = {
          method,
          errCode: vs.code,
          errMessage: vs.message,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        };
        if (vs.code === 'VS_ERR_INTERNAL') log.error({ ...fields, err }, 'call failed');
        else log.warn({ ...fields, cause: vs.cause instanceof Error ? vs.cause.message : undefined }, 'call failed');
        callback(toServiceError(vs) as grpc.ServiceError);
      },
    );
  };
}

/** A handler for an RPC whose implementation belongs to later work. */
export function unimplemented<Req, Res>(log: Logger, method: string, missing: string): grpc.handleUnaryCall<Req, Res> {
  return unary<Req, Res>(log, method, async () => {
    throw new VsError('VS_ERR_UNIMPLEMENTED', `${method} is not implemented yet: ${missing}`);
  });
}

export const TOKEN_HEADER = 'x-vs-agent-token';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * A server interceptor that refuses every call (health included) whose
 * `x-vs-agent-token` does not match, comparing digests in constant time. The
 * refusal is logged with the method and peer, never the token.
 */
export function tokenInterceptor(expected: string, log: Logger): grpc.ServerInterceptor {
  const want = digest(expected);
  return (method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, mdNext) => {
            const got = metadata.get(TOKEN_HEADER)[0];
            const refusal =
              typeof got !== 'string' || got.length === 0
                ? new VsError('VS_ERR_AUTH_TOKEN_MISSING', 'the call carries no agent token')
                : timingSafeEqual(digest(got), want)
                  ? null
                  : new VsError('VS_ERR_AUTH_TOKEN_INVALID', 'the agent token is wrong');
            if (!refusal) {
              mdNext(metadata);
              return;
            }
            log.warn(
              { method: method.path, peer: call.getPeer(), errCode: refusal.code },
              'call refused: bad agent token',
            );
            const se = toServiceError(refusal);
            call.sendStatus({ code: se.code!, details: se.details!, metadata: se.metadata! });
          },
        });
      },
    });
}

/** Metadata carrying the agent token, for calls to agent-db. */
export function tokenMetadata(token: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(TOKEN_HEADER, token);
  return md;
}

/** Bind a server and resolve with the bound port (0 for unix sockets). */
export function bind(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    );
  });
}

/** tryShutdown; after the grace period, forceShutdown. */
export function shutdownServer(server: grpc.Server, graceMs: number): Promise<'drained' | 'forced'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve('forced');
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve('drained');
    });
  });
}

/**
 * Make one unary call and get a promise; failures come back as VsError.
 * `invoke` calls the client method with the metadata, options and callback given.
 */
export function call<Res>(
  invoke: (
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, res?: Res) => void,
  ) => unknown,
  options: { metadata?: grpc.Metadata; deadlineMs: number },
): Promise<Res> {
  return new Promise((resolve, reject) => {
    invoke(options.metadata ?? new grpc.Metadata(), { deadline: Date.now() + options.deadlineMs }, (err, res) => {
      if (err) reject(fromServiceError(err));
      else resolve(res as Res);
    });
  });
}

/** grpc.health.v1 Check against a client channel; UNKNOWN when it cannot be asked. */
export async function checkHealth(
  target: string,
  options: { service?: string; metadata?: grpc.Metadata; deadlineMs: number },
): Promise<ServingStatus> {
  const { health } = loadContract();
  const client = new health.grpc.health.v1.Health(target, grpc.credentials.createInsecure());
  try {
    const res = await call<HealthCheckResponse__Output>(
      (md, opts, cb) => client.check({ service: options.service ?? '' }, md, opts, cb),
      options,
    );
    return (res.status as ServingStatus) ?? 'UNKNOWN';
  } finally {
    client.close();
  }
}

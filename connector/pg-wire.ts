// The little of PostgreSQL's wire protocol the connector speaks itself: the
// client's first packet (an SSL or GSSAPI encryption request is answered 'N':
// the hop from the app to the connector is loopback, and the route beyond is
// encrypted by SSH or TLS), an ErrorResponse for a connection it refuses, and
// the SSLRequest that opens a direct TLS connection to the server.
import type { Duplex } from 'node:stream';
import net from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/** Read exactly n bytes (a short read at end of stream rejects). */
function readExactly(socket: Duplex, n: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error(`no packet within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < n) return;
      // Stop listening before handing the surplus back: unshift re-emits it.
      done(null, buf.subarray(0, n));
      if (buf.length > n) socket.unshift(buf.subarray(n));
    };
    const onEnd = () => done(new Error('the client closed the connection'));
    const done = (err: Error | null, out?: Buffer) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onEnd);
      socket.pause();
      if (err) reject(err);
      else resolve(out!);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onEnd);
    socket.resume();
  });
}

/**
 * Read the client's startup packet, answering encryption requests with 'N'
 * first. Returns the packet (to be sent on as it is) and whether it is a
 * cancel request.
 */
export async function readStartup(socket: Duplex, timeoutMs: number): Promise<{ packet: Buffer; cancel: boolean }> {
  for (let i = 0; i < 3; i++) {
    const head = await readExactly(socket, 8, timeoutMs);
    const length = head.readInt32BE(0);
    const code = head.readInt32BE(4);
    if (length === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
      socket.write('N');
      continue;
    }
    if (length < 8 || length > 10_000) throw new Error(`not a PostgreSQL startup packet (length ${length})`);
    const rest = length > 8 ? await readExactly(socket, length - 8, timeoutMs) : Buffer.alloc(0);
    return { packet: Buffer.concat([head, rest]), cancel: code === CANCEL_REQUEST };
  }
  throw new Error('too many encryption requests');
}

/** A FATAL ErrorResponse with a SQLSTATE and a message, as the server would send it. */
export function errorResponse(sqlstate: string, message: string): Buffer {
  const fields = Buffer.concat([
    ...[
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', sqlstate],
      ['M', message],
    ].map(([k, v]) => Buffer.from(`${k}${v}\0`, 'utf8')),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

/**
 * Refuse a client the way PostgreSQL does: after its startup packet, a FATAL
 * error it shows to the user (node-pg, libpq and Prisma all report the message).
 */
export async function refuse(socket: net.Socket, sqlstate: string, message: string, timeoutMs = 2_000): Promise<void> {
  try {
    await readStartup(socket, timeoutMs);
    socket.end(errorResponse(sqlstate, message));
  } catch {
    socket.destroy();
  }
}

/** Ask a server for TLS on a fresh TCP connection; resolves when it agrees. */
export async function requestTls(socket: net.Socket, timeoutMs: number): Promise<void> {
  const req = Buffer.alloc(8);
  req.writeInt32BE(8, 0);
  req.writeInt32BE(SSL_REQUEST, 4);
  socket.write(req);
  const answer = await readExactly(socket, 1, timeoutMs);
  if (answer.toString() !== 'S')
    throw new Error(`the server does not offer TLS (answered ${JSON.stringify(answer.toString())})`);
}

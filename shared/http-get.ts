// One HTTP GET over a connection of its own, for health checks. fetch() keeps
// idle connections in a pool and reuses them; a request sent on one just as the
// server closes it for idleness (Node's default: after 5 s) fails with "fetch
// failed" (other side closed), a known race of keep-alive
// (https://github.com/nodejs/undici/issues/3141). Health checks are seconds apart,
// so a fresh connection costs nothing, and it cannot meet a closed one.
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  text: string;
}

/** GET `url` on a new connection, closed after the answer; rejects with what went wrong (ECONNREFUSED, no answer within the time, ...). */
export function httpGet(url: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? https : http).get(
      url,
      { agent: false, headers: { connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      reject(err);
    }
    req.on('error', fail);
  });
}

import test from 'ava';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { httpGet } from '../../shared/http-get.js';

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

test('each GET has a connection of its own, closed once answered', async (t) => {
  const opened: net.Socket[] = [];
  const closed: Promise<unknown>[] = [];
  const server = http.createServer((_req, res) =>
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"down"}'),
  );
  server.on('connection', (s: net.Socket) => {
    opened.push(s);
    closed.push(once(s, 'close'));
  });
  const port = await listen(server);
  t.teardown(() => server.close());
  for (let i = 1; i <= 2; i++) {
    t.deepEqual(await httpGet(`http://127.0.0.1:${port}/healthz`, 2_000), { status: 503, text: '{"status":"down"}' });
    t.is(opened.length, i);
    await closed[i - 1];
  }
});

test('a refused connection and a silent server are refused with why', async (t) => {
  const free = net.createServer();
  const refusedPort = await listen(free);
  await new Promise((r) => free.close(r));
  await t.throwsAsync(httpGet(`http://127.0.0.1:${refusedPort}/`, 2_000), { message: /ECONNREFUSED/ });

  const silent = net.createServer(() => {});
  const silentPort = await listen(silent);
  t.teardown(() => silent.close());
  await t.throwsAsync(httpGet(`http://127.0.0.1:${silentPort}/`, 300), { message: 'no answer within 300 ms' });
});

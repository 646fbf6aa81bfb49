// agent-app's and agent-db's own /metrics, each on a loopback port of its own
// when metricsPort is set: scraped from the real processes of a paired stage.
import test from 'ava';
import { appStatus } from '../harness/agents.js';
import { pollUntil } from '../harness/proc.js';
import { startPair, trackWith } from '../harness/stage.js';
import { freePort } from '../harness/system.js';

const tracker = trackWith(test);

/** The samples of a Prometheus text page, `name{labels}` → value. */
async function scrape(port: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    samples.set(line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return samples;
}

test('agent-app and agent-db serve /metrics on their metricsPort: the link, PostgreSQL, connections, database sizes', async (t) => {
  const [appPort, dbPort] = [await freePort(), await freePort()];
  const pair = await startPair('metrics', tracker, {
    agentAppConfig: { metricsPort: appPort },
    agentDbEnv: { VS_METRICS_PORT: String(dbPort) },
  });
  await pollUntil('the link', async () => (await appStatus(pair.agentApp.socketPath)).link?.state === 'up');

  const app = await scrape(appPort);
  t.is(app.get('vsmigrate_app_link_up'), 1);
  t.is(app.get('vsmigrate_app_copied_rows_total'), 0);
  t.true(
    [...app.keys()].some((k) => k.startsWith('process_cpu_user_seconds_total')),
    "Node's process metrics too",
  );

  const db = await scrape(dbPort);
  t.is(db.get('vsmigrate_db_postgres_up'), 1);
  t.true(db.get('vsmigrate_db_connections')! >= 1, 'at least the scrape itself');
  t.true(db.get('vsmigrate_db_database_size_bytes{database="postgres"}')! > 1_000_000);

  await pair.pg.stop();
  t.is((await scrape(dbPort)).get('vsmigrate_db_postgres_up'), 0, 'PostgreSQL down is a sample, not a failed scrape');
  t.is((await fetch(`http://127.0.0.1:${appPort}/healthz`)).status, 404, 'the metrics port serves /metrics only');
});

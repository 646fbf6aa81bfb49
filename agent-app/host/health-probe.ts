// The health probe that decides a switch: the backend's health URL answers
// 200 with status ok, and its unit stays active and healthy for a settle time.
import { VsError } from '../../shared/errors.js';
import { httpGet } from '../../shared/http-get.js';
import type { ServiceManager } from './service-manager.js';
import type { AgentAppConfig } from '../config.js';

/** The settings a health probe reads. */
export type ProbeSettings = Pick<AgentAppConfig, 'healthUrl' | 'backendUnit' | 'healthTimeoutMs' | 'healthSettleMs'>;

async function healthy(url: string): Promise<{ ok: boolean; why: string }> {
  try {
    const { status: code, text } = await httpGet(url, 3_000);
    let status = '';
    try {
      status = String((JSON.parse(text) as { status?: unknown }).status ?? '');
    } catch {
      status = '';
    }
    if (code === 200 && status.toLowerCase() === 'ok') return { ok: true, why: '' };
    return { ok: false, why: `HTTP ${code}: ${text.slice(0, 200)}` };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
}

/** The backend answers healthy within the timeout, and its unit stays active and healthy for the settle time. */
export async function probeHealth(
  services: ServiceManager,
  config: ProbeSettings,
  onHealthy?: (at: number) => void,
): Promise<string> {
  const o = {
    url: config.healthUrl,
    unit: config.backendUnit,
    timeoutMs: config.healthTimeoutMs,
    settleMs: config.healthSettleMs,
  };
  const deadline = Date.now() + o.timeoutMs;
  let last = { ok: false, why: 'no answer yet' };
  while (Date.now() < deadline) {
    last = await healthy(o.url);
    if (last.ok) break;
    if (!(await services.state(o.unit)).active)
      throw new VsError('VS_ERR_HEALTH_PROBE', `${o.unit} is not active (it exited); last health answer: ${last.why}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!last.ok)
    throw new VsError('VS_ERR_HEALTH_PROBE', `${o.url} did not answer healthy within ${o.timeoutMs} ms: ${last.why}`);
  onHealthy?.(Date.now());
  await new Promise((r) => setTimeout(r, o.settleMs));
  if (!(await services.state(o.unit)).active)
    throw new VsError('VS_ERR_HEALTH_PROBE', `${o.unit} exited within ${o.settleMs} ms of answering healthy`);
  const again = await healthy(o.url);
  if (!again.ok) throw new VsError('VS_ERR_HEALTH_PROBE', `${o.url} stopped answering healthy: ${again.why}`);
  return `healthy, and ${o.unit} stayed active for ${(o.settleMs / 1000).toFixed(1)} s`;
}

/** (Re)start the backend unit, so that it reads its files anew, and probe its health. */
export async function restartAndProbe(services: ServiceManager, config: ProbeSettings): Promise<string> {
  const st = await services.state(config.backendUnit);
  if (st.active) await services.restart(config.backendUnit);
  else await services.start(config.backendUnit);
  return probeHealth(services, config);
}

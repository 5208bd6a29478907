// A server for the dashboard's tests and screenshots: alerting to a loopback webhook, an error burst that becomes an
// anomaly and an alert, recent traffic from a few services, hostile markup in a message, and a replayable dead letter.
import { join } from 'node:path';
import { flush, getJson, post, startServer, tempDir, type RunningServer } from './harness.js';
import { startLoopbackServer, type LoopbackServer } from '../alert/receivers/test-support.js';

const MIN = 60_000;
export const INJECTION = '<img src=x onerror=alert(1)> <script>alert(2)</script> checkout failed';

/**
 * 62 minutes of checkout traffic up to now, with an error burst two minutes ago: its window closes (the next minute
 * has records), so it is found as error_rate_spike and stays open (and its alert firing) until later windows judge it.
 */
function burst(now: number): string[] {
  const t0 = Math.floor(now / MIN) * MIN - 62 * MIN;
  const lines: string[] = [];
  for (let m = 0; m < 62; m++) {
    const n = m === 60 ? 400 : 100;
    for (let i = 0; i < n; i++) {
      const err = m === 60 && i % 2 === 0;
      lines.push(JSON.stringify({
        timestamp: new Date(t0 + m * MIN + Math.floor((i * MIN) / n)).toISOString(), level: err ? 'error' : 'info', service: 'checkout',
        message: err ? `payment provider timeout after ${4000 + i}ms` : `order ord_${m}_${i} created total=${i}.50 EUR`,
      }));
    }
  }
  return lines;
}

/** The last 40 minutes of three services, a few warnings and errors, some with "timeout". */
function recent(now: number): string[] {
  const lines: string[] = [];
  const services = ['api', 'web', 'auth'];
  for (let s = 0; s < 40 * 6; s++) {
    const t = now - 40 * MIN + s * 10_000;
    for (const [k, service] of services.entries()) {
      const r = (s * 7 + k * 3) % 20;
      const level = r === 0 ? 'error' : r < 3 ? 'warn' : r < 5 ? 'debug' : 'info';
      const message = level === 'error' ? `upstream timeout after ${3000 + s}ms calling inventory`
        : level === 'warn' ? `slow request GET /api/items/${s} took ${800 + s}ms`
        : `request GET /api/items/${s} served in ${10 + (s % 50)}ms`;
      lines.push(JSON.stringify({ timestamp: new Date(t + k * 1000).toISOString(), level, service, host: `${service}-${k + 1}`, message, user_id: `u${s % 13}`, duration_ms: 10 + (s % 50), region: k === 0 ? 'eu' : 'us' }));
    }
  }
  lines.push(JSON.stringify({ timestamp: new Date(now - 2 * MIN).toISOString(), level: 'error', service: 'web', host: 'web-1', message: INJECTION, note: '<b>bold</b>' }));
  return lines;
}

export interface UiFixture { server: RunningServer; hook: LoopbackServer; stop: () => Promise<void> }

export const uiConfig = (hookUrl: string, extra: Record<string, unknown> = {}) => ({
  alerting: {
    externalURL: 'http://127.0.0.1:8080',
    rules: [{ name: 'checkout-errors', types: ['error_rate_spike'], services: ['checkout'] }],
    receivers: [{ name: 'hook', type: 'webhook', url: `${hookUrl}/hook`, timeoutMs: 2000 }],
    route: { receiver: 'hook', group_by: ['alertname', 'service'], group_wait: '0s', group_interval: '1s', repeat_interval: '1h' },
  },
  ...extra,
});

/**
 * Starts the fixture. A line without a service is dead-lettered as missing_service first (no default service),
 * then the server restarts with a default service, so that replaying it from the dashboard succeeds.
 */
export async function startUiFixture(opts: { demo?: boolean; config?: Record<string, unknown> } = {}): Promise<UiFixture> {
  const hook = await startLoopbackServer(() => ({ status: 200 }));
  const dataDir = join(tempDir('ui'), 'data');
  const first = await startServer(dataDir, { normalize: { defaultService: null }, detect: { enabled: false } });
  await post(`${first.url}/api/v1/logs`, 'a plain line that names no service: replay me\n', { 'content-type': 'text/plain' });
  await flush(first.url);
  await first.stop();
  const server = await startServer(dataDir, uiConfig(hook.url, { demo: { linesPerSecond: 30, backfillSeconds: 3600 }, ...opts.config }), opts.demo ? ['--demo'] : []);
  const now = Date.now();
  for (const body of [burst(now), recent(now)]) {
    const r = await post(`${server.url}/api/v1/logs`, body.join('\n'), { 'content-type': 'application/x-ndjson' });
    if (r.status !== 200) throw new Error(`fixture ingest failed: ${r.status} ${JSON.stringify(r.body)}`);
  }
  await post(`${server.url}/api/v1/logs`, '{"level":"error","service":"api","message":"cut short\n', { 'content-type': 'application/x-ndjson' });
  await flush(server.url);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const a = await getJson<{ anomalies: { anomaly_type: string; service: string }[] }>(`${server.url}/api/v1/anomalies?service=checkout`);
    if (a.body.anomalies.some((x) => x.anomaly_type === 'error_rate_spike')) break;
    if (Date.now() > deadline) throw new Error(`no error_rate_spike anomaly for checkout: ${JSON.stringify(a.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // ... and its alert delivered to the webhook.
  while (hook.requests.length === 0) {
    if (Date.now() > deadline) throw new Error('the checkout-errors alert was not delivered');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { server, hook, stop: async () => { await server.stop(); await hook.close(); } };
}

// `npm run bench:alerts -- [--n 30] [--window-ms 60000]`: the time from the arrival of the record that makes a condition
// true to the receipt of its notification by a webhook on loopback (group_wait 0), for an anomaly rule (brute force:
// the 20th failure from one address in a window; the detector peeks at the open window) and a query rule (every 1 s).
// p50 and p99 over n alerts each.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../e2e/harness.js';
import { quantile } from '../detect/latency.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '30' }, 'window-ms': { type: 'string', default: '60000' } } });
const N = Number(values.n), windowMs = Number(values['window-ms']);

// The receiver: when each notification arrived, by the marker it carries (an address or a service name).
const arrivals = new Map<string, number>();
const hook = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    const body = Buffer.concat(chunks).toString('utf8');
    for (const m of body.matchAll(/(203\.0\.113\.\d+|svc-q\d+)/g)) if (!arrivals.has(m[1] as string)) arrivals.set(m[1] as string, at);
    res.writeHead(200).end();
  });
});
await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;

const dir = mkdtempSync(join(tmpdir(), 'logsift-bench-alerts-'));
const server = await startServer(join(dir, 'data'), {
  wal: { flushIntervalMs: 100 },
  detect: { windowMs, detectors: ['brute_force'] },
  alerting: {
    rules: [{ name: 'brute-force', types: ['brute_force'] }],
    queryRules: [{ name: 'q-errors', query: 'service:svc-q* level:error | stats count() as errors by (service)', condition: '> 0', every: '1s', range: '1m' }],
    receivers: [{ name: 'hook', type: 'webhook', url: hookUrl }],
    route: { receiver: 'hook', group_by: ['alertname', 'ip', 'service'], group_wait: '0s', group_interval: '1s' },
  },
});
const send = (lines: string[]) => fetch(`${server.url}/api/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
const rec = (o: Record<string, unknown>) => JSON.stringify({ timestamp: new Date().toISOString(), ...o });

// Steady traffic of both services keeps their event time moving, as a live stream does: a service's window closes when
// its later records arrive (a service gone quiet follows the others detect.silenceGrace behind).
let stop = false;
const heartbeat = (async () => {
  for (let i = 0; !stop && i < 100_000; i++) {
    await send([rec({ level: 'info', service: 'web', message: `GET /health 200 ${i}` }), rec({ level: 'info', service: 'auth', message: `login succeeded for user u${i % 50} from 10.0.0.${i % 200}` })]);
    await new Promise((r) => setTimeout(r, 50));
  }
})();

const wait = async (key: string, ms = 30_000) => {
  const end = performance.now() + ms;
  while (!arrivals.has(key) && performance.now() < end) await new Promise((r) => setTimeout(r, 5));
  return arrivals.get(key);
};

async function measure(kind: string, make: (i: number) => { key: string; lines: string[] }): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const { key, lines } = make(i);
    // The last line is the one that makes the condition true: its arrival is the start.
    await send(lines.slice(0, -1));
    const t0 = performance.now();
    await send(lines.slice(-1));
    const at = await wait(key);
    if (at === undefined) { console.error(`${kind} ${i}: no notification within 30 s`); continue; }
    out.push(at - t0);
    // A random pause: without it each round lasts about a second and every start lands at the same phase of the
    // windows and of the rule's schedule (the first run of this script measured one phase 30 times).
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 1300));
  }
  return out;
}

const fmt = (xs: number[]) => xs.length === 0 ? 'no data' : `p50 ${quantile(xs, 0.5).toFixed(0)} ms, p99 ${quantile(xs, 0.99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (${xs.length} alerts)`;
try {
  await new Promise((r) => setTimeout(r, 3 * windowMs)); // past the detectors' first windows
  // 20 failures from one address in a window is brute force (detect.tuning.brute_force.minFailures).
  const anomaly = await measure('anomaly', (i) => {
    const ip = `203.0.113.${i + 1}`;
    const timestamp = new Date().toISOString(); // one event time: the 20 failures are in one window
    return { key: ip, lines: Array.from({ length: 20 }, (_, j) => JSON.stringify({ timestamp, level: 'warn', service: 'auth', message: `login failed for user u${j} from ${ip}: invalid password`, ip })) };
  });
  const query = await measure('query', (i) => ({ key: `svc-q${i}`, lines: [rec({ level: 'info', service: `svc-q${i}`, message: 'ok' }), rec({ level: 'error', service: `svc-q${i}`, message: 'payment failed' })] }));
  console.log(`machine: ${(await import('node:os')).cpus().length} cores, Node ${process.version}; detect.windowMs ${windowMs}, wal.flushIntervalMs 100, group_wait 0`);
  console.log(`anomaly rule (brute force):             ${fmt(anomaly)}  (target p99 < 1000 ms)`);
  console.log(`query rule (every 1 s):                 ${fmt(query)}  (target p99 < every + 1 s = 2000 ms)`);
} finally {
  stop = true;
  await heartbeat.catch(() => undefined);
  await server.stop();
  hook.close();
  rmSync(dir, { recursive: true, force: true });
}

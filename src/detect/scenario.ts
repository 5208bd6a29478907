// A week (or any number of days) of multi-service traffic with daily and weekly seasonality and noise, with incidents
// of every detector's type injected at known times and quiet days that must stay quiet: the detectors' evaluation.
// Output is JSON lines, as applications ship them, in event-time order.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { AnomalyType } from '../model/anomaly.js';
import { rng } from './stats.js';

/** `what` tells apart incidents of one type: `payments-stop` is a drop of one kind of record, not of the service. */
export interface Incident { type: AnomalyType; service: string; startMs: number; endMs: number; what?: string }

export interface ScenarioOptions {
  startMs: number;
  days: number;
  seed: number;
  /** Days at the start without incidents (the detectors learn). */
  learnDays: number;
}

const MIN = 60_000, HOUR = 60 * MIN, DAY = 24 * HOUR;

/** Traffic multiplier at a time: a daily curve (peak 14:00, trough 02:00 at 0.25 of peak) and quieter weekends. */
export function seasonal(ms: number): number {
  const h = (ms % DAY) / HOUR;
  const dow = new Date(ms).getUTCDay();
  const daily = 0.625 + 0.375 * Math.cos((2 * Math.PI * (h - 14)) / 24);
  return daily * (dow === 0 || dow === 6 ? 0.7 : 1);
}

/** Incident types in the order they are placed, with the service they hit and their length in minutes. */
const PLAN: { type: AnomalyType; service: string; minutes: number; what?: string }[] = [
  { type: 'volume_spike', service: 'web', minutes: 10 },
  { type: 'volume_drop', service: 'orders', minutes: 15 },
  { type: 'error_rate_spike', service: 'orders', minutes: 10 },
  { type: 'new_template', service: 'orders', minutes: 5 },
  { type: 'rare_template_burst', service: 'inventory', minutes: 10 },
  { type: 'service_silence', service: 'inventory', minutes: 20 },
  { type: 'brute_force', service: 'auth', minutes: 10 },
  { type: 'latency_shift', service: 'web', minutes: 15 },
  { type: 'session_anomaly', service: 'worker', minutes: 10 },
  { type: 'volume_drop', service: 'orders', minutes: 15, what: 'payments-stop' },
];

/** Messages a service never logged, one per new_template incident ('#' becomes a number). */
const NOVEL = [
  'database connection pool exhausted (size=20, waiting=#)', 'TLS handshake with payment gateway failed: certificate expired', 'out of memory in pricing cache, evicting # entries',
  'schema migration lock held by another instance for # s', 'feature flag service unreachable, using stale flags', 'disk quota exceeded on /var/lib/orders (# MB over)',
  'clock skew of # ms against the database detected', 'kafka producer buffer full, dropping # events', 'circuit breaker for tax-service opened after # failures',
];

export const SCENARIO_SERVICES = ['web', 'auth', 'orders', 'inventory', 'worker', 'scheduler'] as const;

/**
 * Incidents: after the learning days, every type once a day at a different hour each day (day d, type i at hour
 * (3 + 5i + 7d) mod 24), so every type is hit at busy and quiet hours; incidents of one service are at least two hours
 * apart, and none falls in the nightly batch hours (02:00-04:00).
 */
export function planIncidents(o: ScenarioOptions): Incident[] {
  const out: Incident[] = [];
  for (let d = o.learnDays; d < o.days; d++) {
    PLAN.forEach((p, i) => {
      let hour = (3 + 5 * i + 7 * d) % 24;
      if (hour === 3 || hour === 2) hour = 4;
      // A deterministic minute within the hour keeps incidents off window and hour boundaries.
      const start = o.startMs + d * DAY + hour * HOUR + (7 + ((i * 13 + d * 11) % 37)) * MIN;
      const clash = out.some((x) => x.service === p.service && start < x.endMs + 2 * HOUR && x.startMs < start + p.minutes * MIN + 2 * HOUR);
      const at = clash ? start + 3 * HOUR : start;
      out.push({ type: p.type, service: p.service, startMs: at, endMs: at + p.minutes * MIN, ...(p.what ? { what: p.what } : {}) });
    });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

interface Rec { ms: number; line: string }

/** Writes the scenario's JSON lines to `file`; returns the incidents and the number of lines. */
export async function writeScenario(file: string, o: ScenarioOptions): Promise<{ incidents: Incident[]; lines: number }> {
  const rand = rng(o.seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const poisson = (l: number): number => {
    if (l <= 0) return 0;
    if (l > 40) return Math.max(0, Math.round(l + Math.sqrt(l) * gauss()));
    let k = 0, p = 1;
    const L = Math.exp(-l);
    do { k++; p *= rand(); } while (p > L);
    return k - 1;
  };
  function gauss(): number { return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()); }
  const incidents = planIncidents(o);
  const active = (type: AnomalyType, ms: number, what?: string) => incidents.some((x) => x.type === type && x.what === what && ms >= x.startMs && ms < x.endMs);

  const users = Array.from({ length: 400 }, (_, i) => `user${i}`);
  const clients = Array.from({ length: 300 }, () => `10.${int(4)}.${int(256)}.${1 + int(254)}`);
  const paths = ['/api/items', '/api/cart', '/api/orders', '/api/search', '/health', '/static/app.js'];
  let jobId = 1000, orderId = 50_000;
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let lines = 0;
  const rec = (ms: number, service: string, level: string, msg: string, extra: Record<string, unknown> = {}): Rec =>
    ({ ms, line: JSON.stringify({ ts: new Date(ms).toISOString(), level, service, msg, ...extra }) });
  /** Jobs still running, by the minute their next step is due. */
  const jobs: { id: number; step: number; steps: number; due: number }[] = [];

  for (let m = 0; m < o.days * 24 * 60; m++) {
    const t0 = o.startMs + m * MIN;
    const f = seasonal(t0);
    const at = () => t0 + int(MIN);
    const batch: Rec[] = [];
    // web: an access log with durations; 2% 404s. Spikes are 6x the traffic; latency shifts are 6x slower.
    const webN = poisson(120 * f * (active('volume_spike', t0) ? 6 : 1));
    const slow = active('latency_shift', t0) ? 6 : 1;
    for (let i = 0; i < webN; i++) {
      const status = rand() < 0.02 ? 404 : 200;
      const ms = Math.round(Math.exp(Math.log(40) + 0.5 * gauss()) * slow);
      batch.push(rec(at(), 'web', status === 200 ? 'info' : 'warn', `GET ${pick(paths)}/${int(10_000)} HTTP/1.1 ${status} ${200 + int(5000)}`, { duration_ms: ms, client_ip: pick(clients) }));
    }
    // auth: logins, 3% failures spread over many addresses; a brute force is one address trying many users.
    for (let i = poisson(30 * f); i > 0; i--) {
      const u = pick(users), ip = pick(clients);
      batch.push(rand() < 0.03
        ? rec(at(), 'auth', 'warn', `login failed for user ${u} from ${ip}: invalid password`, { user: u, ip })
        : rec(at(), 'auth', 'info', `login succeeded for user ${u} from ${ip}`, { user: u, ip }));
    }
    if (active('brute_force', t0)) {
      const attacker = '203.0.113.66';
      for (let i = 0; i < 40; i++) { const u = pick(users); batch.push(rec(at(), 'auth', 'warn', `login failed for user ${u} from ${attacker}: invalid password`, { user: u, ip: attacker })); }
    }
    // orders: an application log; drops leave 10% of the traffic; error spikes make 30% of it provider timeouts.
    const ordersN = poisson(60 * f * (active('volume_drop', t0) ? 0.1 : 1));
    const errorShare = active('error_rate_spike', t0) ? 0.3 : 0;
    // Payments stop (the provider is down) while orders keep being created: one kind of record drops.
    const paymentsStop = active('volume_drop', t0, 'payments-stop');
    for (let i = 0; i < ordersN; i++) {
      const id = orderId++;
      const r = rand();
      if (r < errorShare) batch.push(rec(at(), 'orders', 'error', `payment provider timeout after ${3000 + int(3000)} ms for order ord_${id}`));
      else if (r < errorShare + 0.005) batch.push(rec(at(), 'orders', 'error', `payment declined for order ord_${id}: card expired`));
      else if (r < errorShare + 0.015) batch.push(rec(at(), 'orders', 'warn', `retrying call to payment provider for order ord_${id} (attempt ${2 + int(2)})`));
      else if (r < 0.5) batch.push(rec(at(), 'orders', 'info', `order ord_${id} created with ${1 + int(6)} items total=${int(300)}.${int(100)} EUR`));
      else if (!paymentsStop) batch.push(rec(at(), 'orders', 'info', `payment authorized for order ord_${id} via ${pick(['card', 'paypal', 'sepa'])}`));
    }
    const novel = incidents.find((x) => x.type === 'new_template' && t0 >= x.startMs && t0 < x.endMs);
    if (novel) {
      // A different new message each time (a message seen once is no longer new).
      const n = incidents.filter((x) => x.type === 'new_template' && x.startMs <= novel.startMs).length;
      const text = NOVEL[(n - 1) % NOVEL.length] as string;
      for (let i = 0; i < 6; i++) batch.push(rec(at(), 'orders', 'error', text.replace('#', String(int(100)))));
    }
    // inventory: steady stock updates; a rare reservation timeout about twice an hour; silences stop it entirely.
    if (!active('service_silence', t0)) {
      for (let i = poisson(25 * (0.5 + f / 2)); i > 0; i--) batch.push(rec(at(), 'inventory', 'info', `stock level for sku-${int(5000)} is ${int(500)} in warehouse ${pick(['ams', 'fra', 'dub'])}`));
      if (rand() < 1 / 30) batch.push(rec(at(), 'inventory', 'warn', `reservation for sku-${int(5000)} timed out after ${1000 + int(1000)} ms`));
      if (active('rare_template_burst', t0)) for (let i = 0; i < 25; i++) batch.push(rec(at(), 'inventory', 'warn', `reservation for sku-${int(5000)} timed out after ${1000 + int(1000)} ms`));
    }
    // worker: jobs (sessions keyed by job id) of 3 steps a minute apart, then finished.
    for (let i = poisson(8 * f); i > 0; i--) {
      const id = jobId++;
      batch.push(rec(at(), 'worker', 'info', `job job-${id} started: export of ${pick(['invoices', 'orders', 'customers'])}`));
      jobs.push({ id, step: 0, steps: 3, due: m + 1 });
    }
    for (let j = jobs.length - 1; j >= 0; j--) {
      const job = jobs[j] as (typeof jobs)[number];
      if (job.due !== m) continue;
      job.step++;
      // During an incident, jobs lose their lease at their next step and give up.
      if (active('session_anomaly', t0)) { batch.push(rec(at(), 'worker', 'info', `job job-${job.id} step ${job.step}/${job.steps} stalled: lost lease, giving up`)); jobs.splice(j, 1); continue; }
      batch.push(rec(at(), 'worker', 'info', `job job-${job.id} step ${job.step}/${job.steps} done in ${100 + int(900)} ms`));
      if (job.step === job.steps) { batch.push(rec(at(), 'worker', 'info', `job job-${job.id} finished`)); jobs.splice(j, 1); } else job.due = m + 1;
    }
    // scheduler: a heartbeat a minute, and the nightly batch at 03:00 (a burst of 400 a minute for 15 minutes).
    batch.push(rec(at(), 'scheduler', 'info', `scheduler heartbeat: ${int(20)} jobs queued`));
    const h = (t0 % DAY) / HOUR;
    if (h >= 3 && h < 3.25) for (let i = poisson(400); i > 0; i--) batch.push(rec(at(), 'scheduler', 'info', `nightly compaction processed partition p-${int(10_000)} in ${int(900)} ms`));

    batch.sort((a, b) => a.ms - b.ms);
    for (const r of batch) if (!out.write(`${r.line}\n`)) await once(out, 'drain');
    lines += batch.length;
  }
  out.end();
  await once(out, 'finish');
  return { incidents, lines };
}

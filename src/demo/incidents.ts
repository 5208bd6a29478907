// Incident episodes (error burst, brute force, latency, silence, new message, volume spike) scheduled by seed.
import { bug } from '../errors.js';
import type { AnomalyType } from '../model/anomaly.js';
import { findTemplate, type FleetService } from './fleet.js';
import { Rng } from './prng.js';
import { compileTemplate, type Template, type TemplateSpec } from './template.js';

/** The incident kinds, named after the anomaly a detector should raise for them. */
export const INCIDENT_KINDS = [
  'error_rate_spike', 'brute_force', 'latency_shift', 'service_silence', 'new_template', 'volume_spike',
] as const satisfies readonly AnomalyType[];
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Ground truth for one episode the generator produced: what a detector is expected to find. */
export interface Incident {
  readonly kind: IncidentKind;
  readonly service: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly description: string;
  /** brute_force: the attacking client. */
  readonly ip?: string;
  /** new_template, error_rate_spike: the template that appears or bursts. */
  readonly template?: string;
  /** latency_shift, volume_spike: the multiplier applied. */
  readonly factor?: number;
}

/** How an active incident bends line generation. */
export interface Effect {
  readonly incident: Incident;
  readonly service: FleetService;
  readonly silent: boolean;
  readonly latencyFactor: number;
  /** Chance a line of `service` uses `swap` instead of a normal template. */
  readonly swapP: number;
  readonly swap: Template | undefined;
  /**
   * Lines per second added on top of normal traffic (an attack or a surge adds volume, it does not displace it),
   * each one of `inject`: `template` of `service`, or a normal line of `service` when no template is given.
   */
  readonly extraLinesPerSecond: number;
  readonly inject: readonly { readonly service: FleetService; readonly template?: Template }[];
  /** brute_force: injected lines come from this ip and target many users. */
  readonly attackerIp: string | undefined;
}

const MINUTE = 60_000;
const WARMUP_MS = 6 * MINUTE;
const GAP_MS: readonly [number, number] = [4 * MINUTE, 12 * MINUTE];
const DURATION_S: Record<IncidentKind, readonly [number, number]> = {
  error_rate_spike: [60, 120], brute_force: [120, 300], latency_shift: [180, 480],
  service_silence: [180, 360], new_template: [120, 300], volume_spike: [60, 180],
};
const CANDIDATES: Record<IncidentKind, readonly string[]> = {
  error_rate_spike: ['checkout', 'api-gateway', 'billing', 'search', 'inventory', 'auth', 'notifications', 'worker'],
  brute_force: ['auth', 'sshd', 'api-gateway'],
  latency_shift: ['api-gateway', 'checkout', 'search', 'postgres', 'billing', 'auth', 'recommendations'],
  service_silence: ['inventory', 'notifications', 'worker', 'search', 'recommendations', 'billing', 'feature-flags'],
  new_template: [],
  volume_spike: ['api-gateway', 'web', 'search', 'auth', 'checkout'],
};

/** Messages that never occur in normal traffic; each new_template incident takes the next one. */
const NOVEL: readonly TemplateSpec[] = [
  { level: 'WARN', text: 'cache shard {int:0-15} rebalance started: moving {int:1000-90000} keys to {upstream}' },
  { level: 'WARN', text: 'TLS certificate for {one:api.shop.example|auth.shop.example} expires in {int:2-6} days' },
  { level: 'WARN', text: 'disk usage on /var/lib/data is {int:86-97}% (threshold 85%)' },
  { level: 'WARN', text: 'clock skew of {int:300-2000}ms detected against ntp pool' },
  { level: 'INFO', text: 'deprecated API version v1 called by client_id={one:ios-legacy|partner-feed} user={user}' },
  { level: 'WARN', text: 'GC pause of {ms}ms exceeded target 200ms (heap {int:70-95}% used)' },
  { level: 'ERROR', text: 'schema migration 2024_{int:10-99}_add_index pending, running in compatibility mode' },
];

const BRUTE_FORCE_USERS = ['admin', 'root', 'test', 'administrator', 'support', 'info', 'user', 'guest', 'oracle', 'sales'];

/**
 * Plans incidents one after another on the simulated clock: a quiet warm-up (a baseline for detectors), then
 * episodes separated by quiet gaps, never overlapping. Each cycle of six uses every kind once, in seeded order.
 * The plan depends only on the seed, the start and the fleet, never on the line rate.
 */
export class IncidentSchedule {
  /** Incidents that have started, in order. */
  readonly started: Incident[] = [];
  private nextStartMs: number;
  private queue: IncidentKind[] = [];
  private current: Effect | undefined;
  private novelIndex = 0;

  constructor(private readonly rng: Rng, startMs: number, private readonly fleet: readonly FleetService[], private readonly linesPerSecond: number) {
    this.nextStartMs = startMs + WARMUP_MS;
  }

  /** The effect active at `timeMs`; times must not go backwards. */
  effectAt(timeMs: number): Effect | undefined {
    if (this.current !== undefined && timeMs >= this.current.incident.endMs) this.current = undefined;
    if (this.current === undefined && timeMs >= this.nextStartMs) {
      const effect = this.plan(this.nextStartMs);
      // A clock that jumped over the whole episode (a very low line rate) skips it rather than replaying it late.
      if (timeMs < effect.incident.endMs) {
        this.current = effect;
        this.started.push(effect.incident);
      }
      this.nextStartMs = effect.incident.endMs + this.rng.int(GAP_MS[0], GAP_MS[1]);
    }
    return this.current;
  }

  private plan(startMs: number): Effect {
    for (let tries = 0; tries < 2 * INCIDENT_KINDS.length; tries++) {
      if (this.queue.length === 0) this.queue = shuffle([...INCIDENT_KINDS], this.rng);
      const kind = this.queue.shift() as IncidentKind;
      const service = this.chooseService(kind);
      if (service === undefined) continue;
      const [lo, hi] = DURATION_S[kind];
      return this.effect(kind, service, startMs, startMs + this.rng.int(lo, hi) * 1000);
    }
    bug('no incident kind fits the fleet');
  }

  private chooseService(kind: IncidentKind): FleetService | undefined {
    if (kind === 'service_silence' && this.fleet.length < 3) return undefined;
    const named = CANDIDATES[kind].map((n) => this.fleet.find((s) => s.name === n)).filter((s) => s !== undefined);
    if (kind === 'brute_force') return named[0];
    return named.length > 0 ? this.rng.pick(named) : this.rng.pick(this.fleet);
  }

  private effect(kind: IncidentKind, service: FleetService, startMs: number, endMs: number): Effect {
    const base = { service, silent: false, latencyFactor: 1, swapP: 0, swap: undefined, extraLinesPerSecond: 0, inject: [], attackerIp: undefined };
    const share = service.spec.weight / this.fleet.reduce((s, f) => s + f.spec.weight, 0);
    const at = { kind, service: service.name, startMs, endMs };
    switch (kind) {
      case 'error_rate_spike': {
        const errors = service.templates.filter((t) => t.level === 'ERROR');
        if (errors.length === 0) bug(`service ${service.name} has no ERROR template to burst`);
        const swap = this.rng.pick(errors);
        const incident = { ...at, template: swap.pattern, description: `${service.name} error burst: about 45% of its lines are "${swap.pattern}"` };
        return { ...base, incident, swap, swapP: 0.45 };
      }
      case 'brute_force': {
        const ip = `${this.rng.pick(['185.220.101', '45.155.205', '193.32.162'])}.${this.rng.int(2, 254)}`;
        const inject = this.bruteForceLines();
        const incident = { ...at, ip, description: `brute-force login attempts from ${ip} against many users via ${service.name}` };
        return { ...base, incident, inject, attackerIp: ip, extraLinesPerSecond: this.rng.int(6, 15) };
      }
      case 'latency_shift': {
        const factor = this.rng.int(4, 8);
        return { ...base, latencyFactor: factor, incident: { ...at, factor, description: `${service.name} latency ${factor}x its usual median` } };
      }
      case 'service_silence':
        return { ...base, silent: true, incident: { ...at, description: `${service.name} stops logging` } };
      case 'new_template': {
        const spec = NOVEL[this.novelIndex++ % NOVEL.length] as TemplateSpec;
        const template = compileTemplate(spec, service.name, service.spec.language);
        const incident = { ...at, template: spec.text, description: `${service.name} logs a message never seen before: "${spec.text}"` };
        return { ...base, incident, inject: [{ service, template }], extraLinesPerSecond: Math.min(0.5, 0.05 * this.linesPerSecond) };
      }
      case 'volume_spike': {
        const factor = this.rng.int(4, 8);
        const incident = { ...at, factor, description: `${service.name} log volume ${factor}x its usual rate` };
        return { ...base, incident, inject: [{ service }], extraLinesPerSecond: share * (factor - 1) * this.linesPerSecond };
      }
    }
  }

  /** Failed logins where the fleet has somewhere to fail them: auth, sshd and the gateway's 401s. */
  private bruteForceLines(): { service: FleetService; template: Template }[] {
    const lines: { service: FleetService; template: Template }[] = [];
    const add = (name: string, prefix: string, spec?: TemplateSpec) => {
      const svc = this.fleet.find((s) => s.name === name);
      const template = svc && (spec ? compileTemplate(spec, name, svc.spec.language) : findTemplate(svc, prefix));
      if (svc && template) lines.push({ service: svc, template }, { service: svc, template });
    };
    add('auth', 'login failed for user=');
    add('sshd', 'Failed password for invalid user');
    add('api-gateway', '', { level: 'WARN', text: 'POST /api/v1/auth/login {status} {ms}ms', status: [401] });
    return lines;
  }
}

/** A brute-force target: a common account name or a real user id. */
export function bruteForceUser(rng: Rng): string {
  return rng.chance(0.5) ? rng.pick(BRUTE_FORCE_USERS) : `u_${rng.int(100000, 139999)}`;
}

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

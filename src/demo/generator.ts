// The demo log generator: a seeded, simulated fleet of services writing realistic lines, with incidents.
import { ConfigError } from '../errors.js';
import { buildFleet, pickTemplate, type FleetService } from './fleet.js';
import { formatLine, type DemoEvent } from './formats.js';
import { bruteForceUser, IncidentSchedule, type Effect, type Incident } from './incidents.js';
import { Rng, Weighted } from './prng.js';
import { SERVICES } from './services.js';
import { LineContext, render, type Template } from './template.js';

export interface GeneratorOptions {
  seed: number;
  /** Timestamp of the simulated clock before the first line. */
  start: Date;
  /** Simulated baseline event rate: timestamps are a Poisson process with this mean; incidents such as a brute force add lines on top. */
  linesPerSecond: number;
  /** How many services of the catalogue log (default 12). */
  services?: number;
  /** `json` (default): every line is a JSON object. `mixed`: each service writes its native format. */
  format?: 'json' | 'mixed';
}

/** A generator must return the same lines for the same options, on every run and platform. */
export interface Generator {
  /** The next line, without a newline. */
  next(): string;
  /** Lines returned so far. */
  readonly produced: number;
  /** Simulated time of the last line, in ms since the epoch (the start before the first line). */
  readonly timeMs: number;
  /** Incidents that have begun so far: the ground truth for anomaly detectors. */
  readonly incidents: readonly Incident[];
  /**
   * The service that wrote the last line. Access-log and plain-text lines do not name their service; a source
   * passes this as the per-line default, as a real collector knows which file or app a line came from.
   */
  readonly lastService: string;
  /** The template (with its `{placeholders}`) the last line was rendered from: ground truth for template mining. */
  readonly lastPattern: string;
}

export const DEFAULT_SERVICES = 12;
const TRACE_RING = 32;

export function createGenerator(opts: GeneratorOptions): Generator {
  validate(opts);
  return new DemoGenerator(opts);
}

function validate(opts: GeneratorOptions): void {
  if (!Number.isFinite(opts.seed)) throw new ConfigError('demo.seed', `must be a finite number, got ${opts.seed}`);
  if (Number.isNaN(opts.start.getTime())) throw new ConfigError('demo.start', 'must be a valid date');
  if (!(opts.linesPerSecond > 0) || !Number.isFinite(opts.linesPerSecond)) {
    throw new ConfigError('demo.linesPerSecond', `must be a positive number, got ${opts.linesPerSecond}`);
  }
  const n = opts.services ?? DEFAULT_SERVICES;
  if (!Number.isInteger(n) || n < 1 || n > SERVICES.length) {
    throw new ConfigError('demo.services', `must be an integer from 1 to ${SERVICES.length} (the catalogue size), got ${n}`);
  }
  if (opts.format !== undefined && opts.format !== 'json' && opts.format !== 'mixed') {
    throw new ConfigError('demo.format', `must be "json" or "mixed", got ${JSON.stringify(opts.format)}`);
  }
}

class DemoGenerator implements Generator {
  produced = 0;
  timeMs: number;
  lastService = '';
  lastPattern = '';
  private readonly rng: Rng;
  private readonly fleet: readonly FleetService[];
  private readonly pickService: Weighted<FleetService>;
  private readonly schedule: IncidentSchedule;
  private readonly ctx: LineContext;
  private readonly meanGapMs: number;
  private readonly linesPerSecond: number;
  private rateFactor = 1;
  private readonly mixed: boolean;
  private readonly traces: string[] = [];

  constructor(opts: GeneratorOptions) {
    const root = new Rng(opts.seed);
    this.rng = root.fork(1);
    this.fleet = buildFleet(opts.services ?? DEFAULT_SERVICES, root.fork(2));
    this.pickService = new Weighted(this.fleet, this.fleet.map((s) => s.spec.weight));
    this.timeMs = opts.start.getTime();
    this.schedule = new IncidentSchedule(root.fork(3), this.timeMs, this.fleet, opts.linesPerSecond);
    this.ctx = new LineContext(this.rng);
    this.meanGapMs = 1000 / opts.linesPerSecond;
    this.linesPerSecond = opts.linesPerSecond;
    this.mixed = opts.format === 'mixed';
  }

  get incidents(): readonly Incident[] {
    return this.schedule.started;
  }

  next(): string {
    const fx = this.advanceClock();
    const { svc, template, attacker } = this.chooseLine(fx);
    const rng = this.rng;
    const ctx = this.ctx;
    const spec = svc.spec;
    const host = rng.pick(svc.hosts);
    ctx.reset(svc.context, host.name, fx !== undefined && svc === fx.service ? fx.latencyFactor : 1);
    if (attacker) {
      ctx.ip = fx?.attackerIp;
      ctx.userId = bruteForceUser(rng);
    }
    ctx.statusChoices = template.status;
    const message = render(template, ctx);
    if (template.status !== undefined) ctx.httpStatus();
    if (ctx.userId === undefined && spec.userShare > 0 && rng.chance(spec.userShare)) ctx.user();
    if (ctx.ip === undefined && spec.clientFacing) ctx.clientIp();
    const traced = spec.traced > 0 && rng.chance(spec.traced);

    const event: DemoEvent = {
      timeMs: this.timeMs, level: template.level, service: svc, host, message, messageJsonSafe: template.jsonSafe,
      userId: ctx.userId, ip: ctx.ip, traceId: traced ? this.traceId() : undefined, spanId: traced ? rng.hex(16) : undefined,
      durationMs: ctx.durationMs, status: ctx.status, method: ctx.method, path: ctx.pathText, bytes: ctx.bytes,
    };
    this.produced++;
    this.lastService = spec.name;
    this.lastPattern = template.pattern;
    return formatLine(event, this.mixed ? spec.format : 'json', rng);
  }

  /** Moves the simulated clock to the next line and returns the incident effect active then. */
  private advanceClock(): Effect | undefined {
    // Incident lines come on top of normal traffic, so they raise the rate; the effect at the previous line sets
    // this gap, a lag of one line at an incident's edges.
    this.timeMs += this.rng.exponential(this.meanGapMs / this.rateFactor);
    const fx = this.schedule.effectAt(this.timeMs);
    this.rateFactor = 1 + (fx === undefined ? 0 : fx.extraLinesPerSecond) / this.linesPerSecond;
    return fx;
  }

  /** Which service writes the next line, with which template; `attacker` marks a brute-force attempt. */
  private chooseLine(fx: Effect | undefined): { svc: FleetService; template: Template; attacker: boolean } {
    const rng = this.rng;
    if (fx !== undefined && fx.extraLinesPerSecond > 0 && rng.chance(1 - 1 / this.rateFactor)) {
      const { service, template } = rng.pick(fx.inject);
      return { svc: service, template: template ?? pickTemplate(service, rng), attacker: fx.attackerIp !== undefined };
    }
    let svc = this.pickService.pick(rng);
    // A silent service's share goes to the others; the loop ends because a silence needs three services.
    while (fx?.silent === true && svc === fx.service) svc = this.pickService.pick(rng);
    const swap = fx?.swap !== undefined && svc === fx.service && rng.chance(fx.swapP);
    return { svc, template: swap && fx?.swap !== undefined ? fx.swap : pickTemplate(svc, rng), attacker: false };
  }

  /** Half the lines continue a recent trace, so one request shows up across services. */
  private traceId(): string {
    const ring = this.traces;
    if (ring.length === TRACE_RING && this.rng.chance(0.5)) return this.rng.pick(ring);
    const id = this.rng.hex(32);
    if (ring.length === TRACE_RING) ring[this.produced % TRACE_RING] = id;
    else ring.push(id);
    return id;
  }
}

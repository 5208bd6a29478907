// The running fleet built from the catalogue for one seed: hosts, compiled templates and draw tables per service.
import { bug } from '../errors.js';
import { LEVELS, type Level } from '../model/log-record.js';
import { Rng, Weighted } from './prng.js';
import { DEFAULT_LEVEL_MIX, SERVICES, UPSTREAMS, type ServiceSpec } from './services.js';
import { compileTemplate, type ContextService, type Route, type Template } from './template.js';

export interface FleetHost {
  readonly name: string;
  readonly region: string;
  readonly pid: number;
}

export interface FleetService {
  readonly index: number;
  readonly name: string;
  readonly spec: ServiceSpec;
  readonly hosts: readonly FleetHost[];
  readonly context: ContextService;
  readonly templates: readonly Template[];
  /** Level first, then a template of that level: keeps the level mix exact whatever the template counts. */
  readonly levels: Weighted<Level>;
  readonly byLevel: ReadonlyMap<Level, Weighted<Template>>;
}

const REGIONS = ['eu-west-1', 'us-east-1'];
// Kubernetes draws pod-name suffixes from this alphabet (no vowels, no look-alikes).
const K8S_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The first `count` services of the catalogue, built deterministically from `rng`. */
export function buildFleet(count: number, rng: Rng): FleetService[] {
  return SERVICES.slice(0, count).map((spec, index) => buildService(spec, index, rng));
}

function buildService(spec: ServiceSpec, index: number, rng: Rng): FleetService {
  const templates = spec.templates.map((t) => compileTemplate(t, spec.name, spec.language));
  const routes: Route[] = (spec.routes ?? ['GET /']).map((r) => {
    const [method = 'GET', path = '/'] = r.split(' ');
    return { method, path: compileTemplate({ level: 'INFO', text: path }, spec.name, spec.language) };
  });
  const byLevel = new Map<Level, Weighted<Template>>();
  for (const level of LEVELS) {
    const own = templates.filter((t) => t.level === level);
    if (own.length > 0) byLevel.set(level, new Weighted(own, own.map((t) => t.weight)));
  }
  return {
    index, name: spec.name, spec, templates, byLevel,
    hosts: buildHosts(spec, rng),
    context: { latencyMs: spec.latencyMs, routes, upstreams: spec.upstreams ?? UPSTREAMS.filter((u) => !u.startsWith(`${spec.name}:`)) },
    levels: levelTable(spec, byLevel),
  };
}

function buildHosts(spec: ServiceSpec, rng: Rng): FleetHost[] {
  let names: readonly string[];
  if (spec.hosts === 'pods') {
    const replicaSet = k8sId(rng, rng.int(9, 10));
    names = Array.from({ length: rng.int(2, 6) }, () => `${spec.name}-${replicaSet}-${k8sId(rng, 5)}`);
  } else {
    names = spec.hosts;
  }
  return names.map((name, i) => ({ name, region: REGIONS[i % REGIONS.length] ?? 'eu-west-1', pid: rng.int(1, 32000) }));
}

function k8sId(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += K8S_ALPHABET[rng.int(0, K8S_ALPHABET.length - 1)];
  return s;
}

/** The service's level mix; a level it has no template for lends its weight to the nearest level it has. */
function levelTable(spec: ServiceSpec, byLevel: ReadonlyMap<Level, unknown>): Weighted<Level> {
  const mix: Partial<Record<Level, number>> = spec.levels ?? DEFAULT_LEVEL_MIX;
  const present = LEVELS.filter((l) => byLevel.has(l));
  if (present.length === 0) bug(`service ${spec.name} has no templates`);
  const weights = new Map<Level, number>(present.map((l) => [l, 0]));
  for (const level of LEVELS) {
    const w = mix[level] ?? 0;
    if (w <= 0) continue;
    const at = LEVELS.indexOf(level);
    const nearest = present.reduce((a, b) => (Math.abs(LEVELS.indexOf(b) - at) < Math.abs(LEVELS.indexOf(a) - at) ? b : a));
    weights.set(nearest, (weights.get(nearest) ?? 0) + w);
  }
  return new Weighted(present, present.map((l) => weights.get(l) ?? 0));
}

/** A normal line's template for `svc`: level by the service's mix, then a template of that level by weight. */
export function pickTemplate(svc: FleetService, rng: Rng): Template {
  const table = svc.byLevel.get(svc.levels.pick(rng));
  if (table === undefined) bug(`no template table for a level of ${svc.name}`);
  return table.pick(rng);
}

export function findTemplate(svc: FleetService, prefix: string): Template | undefined {
  return svc.templates.find((t) => t.pattern.startsWith(prefix));
}

// The routing tree: built and validated from config, it picks the leaf routes (receiver + grouping + timers) for a label set.
import { ConfigError } from '../errors.js';
import type { Labels } from './model.js';
import { isLabelName, labelValue, matchesAll, parseMatcherList, type Matcher } from './matchers.js';

/** One node of `alerting.route` as written in config (Alertmanager's names). */
export interface RouteConfig {
  receiver?: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string | number;
  group_interval?: string | number;
  repeat_interval?: string | number;
  continue?: boolean;
  routes?: RouteConfig[];
}

/** Alertmanager's defaults for the root route; children inherit whatever they leave unset. */
export const routeDefaults = { groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3_600_000 } as const;

/** The route used when config has none: everything to one receiver, grouped by alert name and service. */
export function defaultRouteConfig(receiver: string): RouteConfig {
  return { receiver, group_by: ['alertname', 'service'] };
}

const routeKeys = new Set(['receiver', 'matchers', 'group_by', 'group_wait', 'group_interval', 'repeat_interval', 'continue', 'routes']);
const unitMs: Record<string, number> = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const durationRe = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * A duration as Prometheus writes it (`30s`, `5m`, `4h`, `1h30m`, `500ms`; units y w d h m s ms, largest first) or a
 * number of milliseconds. Throws ConfigError naming `key`.
 */
export function parseDurationMs(value: unknown, key: string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new ConfigError(key, `must be a whole, non-negative number of milliseconds or a duration such as "30s"; got ${value}`);
  }
  if (value === '0') return 0;
  const m = typeof value === 'string' && value !== '' ? durationRe.exec(value) : null;
  if (!m) {
    throw new ConfigError(key, `must be a duration such as "30s", "5m", "4h" or "1h30m" (units y, w, d, h, m, s, ms) or milliseconds; got ${JSON.stringify(value)}`);
  }
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let ms = 0;
  m.slice(1).forEach((g, i) => { if (g !== undefined) ms += Number(g) * unitMs[units[i]!]!; });
  if (!Number.isSafeInteger(ms)) throw new ConfigError(key, `is too long: ${JSON.stringify(value)}`);
  return ms;
}

/** A built route. Its `id` is its config path (`alerting.route.routes[1]`): stable while the config is, unique in the tree. */
export class Route {
  readonly id: string;
  readonly receiver: string;
  readonly matchers: readonly Matcher[];
  /** Label names alerts are grouped by; ignored when `groupByAll`. */
  readonly groupBy: readonly string[];
  /** `group_by: ['...']`: every label, i.e. one group per distinct label set. */
  readonly groupByAll: boolean;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  /** After this route matched, its later siblings are still tried. */
  readonly continue: boolean;
  readonly routes: readonly Route[];

  constructor(init: Omit<Route, 'match' | 'groupLabels'>) {
    this.id = init.id;
    this.receiver = init.receiver;
    this.matchers = init.matchers;
    this.groupBy = init.groupBy;
    this.groupByAll = init.groupByAll;
    this.groupWaitMs = init.groupWaitMs;
    this.groupIntervalMs = init.groupIntervalMs;
    this.repeatIntervalMs = init.repeatIntervalMs;
    this.continue = init.continue;
    this.routes = init.routes;
  }

  /**
   * The leaf routes an alert with `labels` goes to, depth first (Alertmanager's algorithm): children are tried in order,
   * the first matching child ends the search unless it has `continue: true`; a node none of whose children match is
   * itself the match. Empty when this node's own matchers do not match.
   */
  match(labels: Labels): Route[] {
    if (!matchesAll(this.matchers, labels)) return [];
    const out: Route[] = [];
    for (const child of this.routes) {
      const found = child.match(labels);
      out.push(...found);
      if (found.length > 0 && !child.continue) break;
    }
    return out.length > 0 ? out : [this];
  }

  /** The group labels of an alert on this route: the `group_by` labels it has (all of its labels for `...`). */
  groupLabels(labels: Labels): Labels {
    if (this.groupByAll) return { ...labels };
    const out: Labels = {};
    for (const name of this.groupBy) if (Object.hasOwn(labels, name)) out[name] = labelValue(labels, name);
    return out;
  }
}

interface Inherited { receiver: string | undefined; groupBy: readonly string[]; groupByAll: boolean; groupWaitMs: number; groupIntervalMs: number; repeatIntervalMs: number }

/**
 * Builds the routing tree from config. Every receiver named must be in `receiverNames`; the root must name one and must
 * not have matchers or `continue` (it takes every alert). Errors are ConfigErrors naming the path, e.g.
 * `alerting.route.routes[1].matchers[0]`.
 */
export function buildRoute(config: unknown, receiverNames: Iterable<string>, key = 'alerting.route'): Route {
  const names = new Set(receiverNames);
  const root = asRecord(config, key);
  if (root.matchers !== undefined && (!Array.isArray(root.matchers) || root.matchers.length > 0)) {
    throw new ConfigError(`${key}.matchers`, 'the root route takes every alert and must not have matchers; put them on a child route under routes');
  }
  if (root.continue !== undefined) throw new ConfigError(`${key}.continue`, 'the root route cannot have continue');
  if (root.receiver === undefined) throw new ConfigError(`${key}.receiver`, 'the root route must name a receiver (the one alerts go to when no child route matches)');
  const base: Inherited = { receiver: undefined, groupBy: [], groupByAll: false, ...routeDefaults };
  return buildNode(root, key, base, names, 0);
}

function asRecord(value: unknown, key: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(key, 'must be a route object {receiver, matchers?, group_by?, routes?, ...}');
  return value as Record<string, unknown>;
}

function buildNode(c: Record<string, unknown>, key: string, parent: Inherited, names: Set<string>, depth: number): Route {
  if (depth > 32) throw new ConfigError(key, 'routes are nested more than 32 levels deep');
  for (const k of Object.keys(c)) {
    if (routeKeys.has(k)) continue;
    const hint = k === 'match' || k === 'match_re' ? `; write matchers: ['name="value"'] or ['name=~"regex"'] instead` : '';
    throw new ConfigError(`${key}.${k}`, `unknown key${hint}; allowed keys here: ${[...routeKeys].join(', ')}`);
  }
  let receiver = parent.receiver;
  if (c.receiver !== undefined) {
    if (typeof c.receiver !== 'string' || c.receiver === '') throw new ConfigError(`${key}.receiver`, 'must be a receiver name');
    if (!names.has(c.receiver)) {
      const known = names.size > 0 ? `known receivers: ${[...names].join(', ')}` : 'no receivers are configured (alerting.receivers)';
      throw new ConfigError(`${key}.receiver`, `no receiver named "${c.receiver}"; ${known}`);
    }
    receiver = c.receiver;
  }
  const matchers = parseMatcherList(c.matchers, `${key}.matchers`);
  const { groupBy, groupByAll } = c.group_by === undefined ? parent : parseGroupBy(c.group_by, `${key}.group_by`);
  const timer = (name: 'group_wait' | 'group_interval' | 'repeat_interval', inherited: number, min: number) => {
    if (c[name] === undefined) return inherited;
    const ms = parseDurationMs(c[name], `${key}.${name}`);
    if (ms < min) throw new ConfigError(`${key}.${name}`, 'must be greater than zero');
    return ms;
  };
  const self: Inherited = {
    receiver, groupBy, groupByAll,
    groupWaitMs: timer('group_wait', parent.groupWaitMs, 0),
    groupIntervalMs: timer('group_interval', parent.groupIntervalMs, 1),
    repeatIntervalMs: timer('repeat_interval', parent.repeatIntervalMs, 1),
  };
  if (c.continue !== undefined && typeof c.continue !== 'boolean') throw new ConfigError(`${key}.continue`, 'must be true or false');
  if (c.routes !== undefined && !Array.isArray(c.routes)) throw new ConfigError(`${key}.routes`, 'must be a list of routes');
  const children = ((c.routes ?? []) as unknown[]).map((child, i) => buildNode(asRecord(child, `${key}.routes[${i}]`), `${key}.routes[${i}]`, self, names, depth + 1));
  if (receiver === undefined) throw new ConfigError(`${key}.receiver`, 'no receiver is set here or above');
  return new Route({ id: key, receiver, matchers, groupBy, groupByAll, groupWaitMs: self.groupWaitMs, groupIntervalMs: self.groupIntervalMs, repeatIntervalMs: self.repeatIntervalMs, continue: c.continue === true, routes: children });
}

function parseGroupBy(value: unknown, key: string): { groupBy: string[]; groupByAll: boolean } {
  if (!Array.isArray(value)) throw new ConfigError(key, "must be a list of label names, or ['...'] for every label");
  const seen = new Set<string>();
  value.forEach((name, i) => {
    if (typeof name !== 'string' || (name !== '...' && !isLabelName(name))) throw new ConfigError(`${key}[${i}]`, `must be a label name (letters, digits and _) or '...'; got ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new ConfigError(`${key}[${i}]`, `"${name}" is listed twice`);
    seen.add(name);
  });
  if (seen.has('...') && seen.size > 1) throw new ConfigError(key, "'...' (every label) must be the only entry");
  return seen.has('...') ? { groupBy: [], groupByAll: true } : { groupBy: [...seen], groupByAll: false };
}

// Message templates: `{name}` placeholders compiled once into parts, rendered per line against a LineContext.
import { bug } from '../errors.js';
import type { Level } from '../model/log-record.js';
import { mix32, Rng } from './prng.js';

/** A message template as the service catalogue writes it. `status` marks an HTTP request line and lists its codes. */
export interface TemplateSpec {
  readonly level: Level;
  readonly text: string;
  readonly weight?: number;
  readonly status?: readonly number[];
}

export type Language = 'java' | 'node' | 'go' | 'python' | 'c';

type Part = string | ((c: LineContext) => string);

export interface Template {
  readonly level: Level;
  readonly weight: number;
  /** The source text with its placeholders: the ground-truth template a miner should recover. */
  readonly pattern: string;
  readonly status: readonly number[] | undefined;
  readonly parts: readonly Part[];
  /**
   * No character of the rendered message can need JSON escaping: the text has no quote, backslash or control
   * character, and placeholders draw only from alphabets without them.
   */
  readonly jsonSafe: boolean;
}

/** An HTTP route of a service, e.g. `GET /api/v1/orders/{id}`. */
export interface Route {
  readonly method: string;
  readonly path: Template;
}

/** What a LineContext needs to know about the service the line belongs to. */
export interface ContextService {
  readonly latencyMs: number;
  readonly routes: readonly Route[];
  readonly upstreams: readonly string[];
}

const USERS = 40_000;
const CLIENT_IPS = 6_000;
const FIRST_OCTETS = [23, 31, 37, 45, 51, 62, 66, 77, 81, 84, 89, 91, 95, 104, 109, 128, 146, 151, 178, 185, 188, 193, 203, 212, 217];

/**
 * The per-line values a template may mention more than once or that also become fields (user, client ip,
 * duration, HTTP status): drawn on first use and then kept, so `user_id` always equals the user in the message.
 * The generator must call `reset` before each line and may preset values (an attacker's ip) before rendering.
 */
export class LineContext {
  service: ContextService = { latencyMs: 1, routes: [], upstreams: [] };
  host = '';
  latencyFactor = 1;
  userId: string | undefined;
  ip: string | undefined;
  durationMs: number | undefined;
  status: number | undefined;
  /** The HTTP codes the line's template may answer with; `{status}` draws one. */
  statusChoices: readonly number[] | undefined;
  /** Set once `{method}`/`{path}`/`{bytes}` rendered, for access-log lines. */
  method: string | undefined;
  pathText: string | undefined;
  bytes: number | undefined;
  private route: Route | undefined;

  constructor(readonly rng: Rng) {}

  reset(service: ContextService, host: string, latencyFactor: number): void {
    this.service = service;
    this.host = host;
    this.latencyFactor = latencyFactor;
    this.userId = undefined;
    this.ip = undefined;
    this.durationMs = undefined;
    this.status = undefined;
    this.statusChoices = undefined;
    this.method = undefined;
    this.pathText = undefined;
    this.bytes = undefined;
    this.route = undefined;
  }

  user(): string {
    if (this.userId === undefined) {
      const i = this.rng.skewed(USERS, 1.8);
      this.userId = `u_${100000 + (Math.imul(i, 2654435761) >>> 0) % USERS}`;
    }
    return this.userId;
  }

  clientIp(): string {
    return (this.ip ??= clientIpAt(this.rng.skewed(CLIENT_IPS)));
  }

  ms(): string {
    if (this.durationMs === undefined) {
      const d = this.rng.logNormal(this.service.latencyMs * this.latencyFactor, 0.75);
      this.durationMs = d < 10 ? Math.round(d * 10) / 10 : Math.round(d);
    }
    return String(this.durationMs);
  }

  httpStatus(): string {
    if (this.status === undefined) {
      const s = this.statusChoices === undefined ? 200 : this.rng.pick(this.statusChoices);
      // 201/204 answer writes and 304 answers reads: keep the code plausible for the method.
      const read = this.httpMethod() === 'GET';
      this.status = (read && (s === 201 || s === 204)) || (!read && s === 304) ? 200 : s;
    }
    return String(this.status);
  }

  httpMethod(): string {
    return (this.method ??= this.pickRoute().method);
  }

  path(): string {
    return (this.pathText ??= render(this.pickRoute().path, this));
  }

  responseBytes(): string {
    if (this.bytes === undefined) {
      this.bytes = this.status === 204 || this.status === 304 ? 0 : Math.round(this.rng.logNormal(3200, 1.1));
    }
    return String(this.bytes);
  }

  private pickRoute(): Route {
    return (this.route ??= this.rng.pick(this.service.routes));
  }
}

/** A public-looking client address for pool index `i`; about 4% are IPv6. */
export function clientIpAt(i: number): string {
  const h = mix32(i, 0x1b873593);
  if ((h & 0xff) < 10) return `2001:db8:${(h >>> 16).toString(16)}::${(h & 0xfff).toString(16)}`;
  const first = FIRST_OCTETS[(h >>> 8) % FIRST_OCTETS.length] ?? 23;
  return `${first}.${(h >>> 16) & 0xff}.${(h >>> 24) & 0xff}.${1 + ((h >>> 4) % 254)}`;
}

export function render(t: Template, c: LineContext): string {
  let out = '';
  for (const p of t.parts) out += typeof p === 'string' ? p : p(c);
  return out;
}

type Draw = (c: LineContext) => string;

const pick = (items: readonly string[]): Draw => (c) => c.rng.pick(items);

/** Every placeholder a template may use; an unknown name is a bug caught when the catalogue compiles. */
const placeholders: Record<string, Draw> = {
  user: (c) => c.user(),
  ip: (c) => c.clientIp(),
  ms: (c) => c.ms(),
  status: (c) => c.httpStatus(),
  method: (c) => c.httpMethod(),
  path: (c) => c.path(),
  host: (c) => c.host,
  bytes: (c) => c.responseBytes(),
  id: (c) => String(c.rng.int(1000, 9_999_999)),
  uuid: (c) => {
    const h = c.rng.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  },
  hex8: (c) => c.rng.hex(8),
  hex16: (c) => c.rng.hex(16),
  order: (c) => `ord_${c.rng.uint32().toString(36).padStart(7, '0')}`,
  sku: (c) => `SKU-${c.rng.int(10000, 10000 + c.rng.skewed(60000, 1.5))}`,
  amount: (c) => c.rng.logNormal(45, 0.9).toFixed(2),
  sec: (c) => c.rng.logNormal(4, 1.2).toFixed(3),
  port: (c) => String(c.rng.int(32768, 60999)),
  pid: (c) => String(c.rng.int(200, 65000)),
  ip2: (c) => `10.${c.rng.int(0, 3)}.${c.rng.int(0, 255)}.${c.rng.int(2, 254)}`,
  upstream: (c) => c.rng.pick(c.service.upstreams),
  b64: (c) => Buffer.from(c.rng.hex(32), 'hex').toString('base64').slice(0, 43),
  currency: pick(['USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'CAD']),
  query: pick([
    'wireless headphones', 'running shoes', 'usb-c cable', 'coffee grinder', 'standing desk', '4k monitor', 'yoga mat',
    'mechanical keyboard', 'air fryer', 'kids bike', 'rain jacket', 'espresso machine', 'phone case', 'led strip',
  ]),
  table: pick(['orders', 'order_items', 'users', 'invoices', 'sessions', 'stock', 'payments', 'carts']),
  job: pick([
    'send_digest_emails', 'reindex_products', 'sync_exchange_rates', 'nightly_invoice_run', 'cleanup_expired_sessions',
    'generate_sitemap', 'process_refund', 'resize_image', 'export_orders_csv',
  ]),
  queue: pick(['default', 'emails', 'images', 'exports', 'webhooks']),
  cron: pick(['0 */5 * * * ?', '0 0 2 * * ?', '0 15 * * * ?', '0 0/1 * * * ?', '0 30 6 ? * MON-FRI']),
  sshuser: pick(['admin', 'root', 'test', 'oracle', 'ubuntu', 'user', 'postgres', 'git', 'guest', 'ftpuser', 'pi', 'support', 'hadoop', 'www']),
};

/**
 * Compiles one template. `{int:A-B}` draws an integer, `{one:a|b|c}` one of the choices; `{frames}` becomes a
 * stack trace that is fixed per template (the same error always has the same trace, as in real programs).
 */
export function compileTemplate(spec: TemplateSpec, owner: string, language: Language): Template {
  const parts: Part[] = [];
  const re = /\{([a-z0-9]+)(?::([^}]*))?\}/g;
  let last = 0;
  for (let m = re.exec(spec.text); m !== null; m = re.exec(spec.text)) {
    if (m.index > last) parts.push(spec.text.slice(last, m.index));
    parts.push(placeholder(m[1] ?? '', m[2], `${owner}:${spec.text}`, language));
    last = re.lastIndex;
  }
  if (last < spec.text.length) parts.push(spec.text.slice(last));
  // Adjacent literals (a fixed stack trace after text) are merged so rendering concatenates less.
  const merged: Part[] = [];
  for (const p of parts) {
    const prev = merged[merged.length - 1];
    if (typeof p === 'string' && typeof prev === 'string') merged[merged.length - 1] = prev + p;
    else merged.push(p);
  }
  const needsEscape = /["\\\u0000-\u001f]/;
  const jsonSafe = !needsEscape.test(spec.text) && !merged.some((p) => typeof p === 'string' && needsEscape.test(p));
  return { level: spec.level, weight: spec.weight ?? 1, pattern: spec.text, status: spec.status, parts: merged, jsonSafe };
}

function placeholder(name: string, arg: string | undefined, key: string, language: Language): Part {
  if (name === 'int') {
    const [lo, hi] = (arg ?? '').split('-').map(Number);
    if (lo === undefined || hi === undefined || !(hi >= lo)) bug(`bad {int:${arg}} in "${key}"`);
    return (c) => String(c.rng.int(lo, hi));
  }
  if (name === 'one') {
    const choices = (arg ?? '').split('|');
    if (choices.length < 2) bug(`{one:${arg}} needs two or more choices in "${key}"`);
    return pick(choices);
  }
  if (name === 'frames') return stackTrace(key, language);
  const draw = placeholders[name];
  if (draw === undefined || arg !== undefined) bug(`unknown placeholder {${name}} in "${key}"`);
  return draw;
}

const FRAMES: Record<Language, { modules: string[]; fns: string[]; frame: (mod: string, fn: string, line: number) => string }> = {
  java: {
    modules: ['InvoiceService', 'PaymentClient', 'OrderRepository', 'JobRunner', 'HttpClientImpl', 'TransactionTemplate'],
    fns: ['charge', 'execute', 'save', 'run', 'send', 'doInTransaction'],
    frame: (m, f, l) => `\n\tat com.shop.${m.toLowerCase().slice(0, 7)}.${m}.${f}(${m}.java:${l})`,
  },
  node: {
    modules: ['routes/orders', 'services/payment', 'db/pool', 'lib/http-client', 'middleware/auth'],
    fns: ['createOrder', 'authorize', 'query', 'request', 'handle'],
    frame: (m, f, l) => `\n    at ${f} (/app/dist/${m}.js:${l}:${(l % 37) + 5})`,
  },
  go: {
    modules: ['internal/store', 'internal/grpc', 'internal/kafka', 'cmd/server'],
    fns: ['(*Store).Reserve', '(*Server).GetStock', '(*Consumer).Commit', 'main.run'],
    frame: (m, f, l) => `\n\tgithub.com/shop/${m}.${f}(...)\n\t\t/src/${m}/${m.split('/')[1] ?? 'main'}.go:${l}`,
  },
  python: {
    modules: ['app/tasks', 'app/search/client', 'app/models', 'celery/app/trace'],
    fns: ['run', 'search', 'to_dict', '__call__'],
    frame: (m, f, l) => `\n  File "/srv/${m}.py", line ${l}, in ${f}`,
  },
  c: { modules: [], fns: [], frame: () => '' },
};

function stackTrace(key: string, language: Language): string {
  const spec = FRAMES[language];
  if (spec.modules.length === 0) return '';
  const rng = new Rng(mix32(key.length, [...key].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619), 2166136261)));
  let out = language === 'python' ? '\nTraceback (most recent call last):' : '';
  for (let i = rng.int(2, 4); i > 0; i--) out += spec.frame(rng.pick(spec.modules), rng.pick(spec.fns), rng.int(12, 480));
  return out;
}

// Loads, defaults and validates the YAML configuration; errors name the key and what is allowed.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { Ajv } from 'ajv';
import { ConfigError, errorMessage } from './errors.js';
import { DURATION_FIELDS } from './intake/serialize.js';
import { defaultVolumeOptions, type VolumeOptions } from './detect/volume.js';
import { defaultErrorRateOptions, type ErrorRateOptions } from './detect/error-rate.js';
import { defaultNewTemplateOptions, type NewTemplateOptions } from './detect/new-template.js';
import { defaultSilenceOptions, type SilenceOptions } from './detect/silence.js';
import { defaultRareBurstOptions, type RareBurstOptions } from './detect/rare-burst.js';
import { defaultBruteForceOptions, type BruteForceOptions } from './detect/brute-force.js';
import { defaultLatencyOptions, type LatencyOptions } from './detect/latency.js';

export interface Config {
  dataDir: string;
  server: { host: string; port: number; ingestWorkers: number; requestTimeoutMs: number; maxBodyBytes: number; maxDecompressedBytes: number; maxPendingBytes: number; retryAfterSeconds: number;
    tls: { certFile: string | null; keyFile: string | null; caFile: string | null; requestClientCert: boolean } };
  /** API keys (bearer tokens) with scopes; none configured means no authentication (see docs/security.md). */
  auth: { keys: { name: string; key?: string; keyEnv?: string; keyFile?: string; scopes: ('ingest' | 'query' | 'admin')[] }[]; publicMetrics: boolean; minKeyLength: number };
  normalize: { maxLineBytes: number; maxFields: number; maxDepth: number; defaultTimezone: string; defaultService: string | null; maxDeadLetterBytes: number; maxFutureSeconds: number };
  wal: { fsync: boolean; groupCommitMs: number; segmentMaxBytes: number; flushIntervalMs: number; idleFlushMs: number };
  store: { threads: number; memoryLimit: string; retentionDays: number; maxTotalBytes: number; sealAfterHours: number; maintenanceIntervalMs: number };
  query: { defaultLimit: number; maxLimit: number; maxQueryChars: number };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  demo: { linesPerSecond: number; seed: number; backfillSeconds: number };
  detect: { enabled: boolean; windowMs: number; allowedLatenessMs: number; resolveAfterWindows: number; snapshotIntervalMs: number; detectors: ('volume' | 'error_rate' | 'new_template' | 'silence' | 'rare_burst' | 'brute_force' | 'latency' | 'session')[];
    sessions: {
      keyRegex: string | null; keyField: string | null; endPattern: string | null; timeoutMs: number; maxOpen: number; maxEvents: number;
      warmupSessions: number; minSupport: number; countSupport: number; maxNovelty: number; invariantConfidence: number; maxRatio: number; maxTemplates: number; checkTransitions: boolean; adoptAfterSessions: number; adoptShare: number;
    };
    latencyFields: string[];
    tuning: { volume: Partial<VolumeOptions>; error_rate: Partial<ErrorRateOptions>; new_template: Partial<NewTemplateOptions>; silence: Partial<SilenceOptions>; rare_burst: Partial<RareBurstOptions>; brute_force: Partial<BruteForceOptions>; latency: Partial<LatencyOptions> };
  };
  alerting: {
    enabled: boolean; externalURL: string | null; samples: number; snapshotIntervalMs: number;
    rules: { name: string; types?: string[]; services?: string[]; minSeverity?: 'low' | 'medium' | 'high' | 'critical'; minScore?: number; minConfidence?: number; labels?: Record<string, string> }[];
    queryRules: { name: string; query: string; condition: string; every?: string | number; for?: string | number; range?: string | number; severity?: string; labels?: Record<string, string> }[];
    receivers: Record<string, unknown>[];
    route: Record<string, unknown> | null;
    inhibitRules: Record<string, unknown>[];
    outbox: { initialBackoffMs: number; maxBackoffMs: number; maxAttempts: number; maxAgeMs: number; attemptTimeoutMs: number; historySize: number; maxPending: number };
  };
  /** Sources by type (collect/registry.ts validates each item's options); HTTP protocols are on unless listed with enabled: false. */
  sources: Record<string, unknown>[];
  patterns: {
    similarity: number; maxTemplatesPerService: number; maxServices: number; maxTemplates: number; maxTokens: number; examples: number;
    maxExampleChars: number; cacheEntries: number; snapshotIntervalMs: number;
    maskRules: { name: string; pattern: string; replacement?: string }[];
  };
  ui: { maxLiveTails: number; liveTailPollMs: number };
}

const int = (minimum: number, def: number) => ({ type: 'integer', minimum, default: def });

/** A detector's tuning keys: every option of its defaults, a non-negative number (integers stay integers). */
const tuning = (defaults: Record<string, number>) => ({
  type: 'object', additionalProperties: false, default: {},
  properties: Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, Number.isInteger(v) && !/Share|Ratio|Chance|Score|Increase|Rate/.test(k) ? { type: 'integer', minimum: 0 } : { type: 'number', minimum: 0 }])),
});
const obj = (properties: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, default: {}, properties });

/** The config schema: every key, its default and what is allowed (documented in docs/configuration.md). */
export const configSchema = {
  type: 'object', additionalProperties: false, properties: {
  dataDir: { type: 'string', minLength: 1, default: './data' },
  server: obj({
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
    ingestWorkers: { type: 'integer', minimum: 0, maximum: 64, default: 1 },
    requestTimeoutMs: int(1000, 60_000),
    maxBodyBytes: int(1024, 16 * 1024 * 1024),
    maxDecompressedBytes: int(1024, 64 * 1024 * 1024),
    maxPendingBytes: int(1024 * 1024, 256 * 1024 * 1024),
    retryAfterSeconds: int(1, 1),
    tls: obj({
      certFile: { type: ['string', 'null'], minLength: 1, default: null },
      keyFile: { type: ['string', 'null'], minLength: 1, default: null },
      caFile: { type: ['string', 'null'], minLength: 1, default: null },
      requestClientCert: { type: 'boolean', default: false },
    }),
  }),
  auth: obj({
    keys: {
      type: 'array', default: [], maxItems: 1000,
      items: { type: 'object', additionalProperties: false, required: ['name', 'scopes'], properties: {
        name: { type: 'string', minLength: 1, maxLength: 64 },
        key: { type: 'string', minLength: 1, maxLength: 512 },
        keyEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        keyFile: { type: 'string', minLength: 1 },
        scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['ingest', 'query', 'admin'] } },
      } },
    },
    publicMetrics: { type: 'boolean', default: false },
    minKeyLength: int(8, 16),
  }),
  normalize: obj({
    maxLineBytes: int(256, 64 * 1024),
    maxFields: int(1, 200),
    maxDepth: int(1, 8),
    defaultTimezone: { type: 'string', minLength: 1, default: 'UTC' },
    defaultService: { type: ['string', 'null'], minLength: 1, default: 'unknown' },
    maxDeadLetterBytes: int(1024, 1024 * 1024),
    maxFutureSeconds: int(0, 86_400),
  }),
  wal: obj({
    fsync: { type: 'boolean', default: true },
    groupCommitMs: int(0, 2),
    segmentMaxBytes: int(1024 * 1024, 64 * 1024 * 1024),
    flushIntervalMs: int(50, 1000),
    idleFlushMs: int(0, 100),
  }),
  store: obj({
    threads: int(1, 1),
    memoryLimit: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?\\s*(KB|MB|GB|KiB|MiB|GiB)$', default: '384MiB' },
    retentionDays: int(0, 30),
    maxTotalBytes: int(0, 0),
    sealAfterHours: int(1, 2),
    maintenanceIntervalMs: int(1000, 60_000),
  }),
  query: obj({ defaultLimit: int(1, 100), maxLimit: int(1, 10_000), maxQueryChars: int(16, 16_384) }),
  log: obj({ level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' } }),
  demo: obj({ linesPerSecond: int(1, 200), seed: int(0, 42), backfillSeconds: int(0, 3600) }),
  detect: obj({
    enabled: { type: 'boolean', default: true },
    windowMs: int(1000, 60_000),
    allowedLatenessMs: int(0, 10_000),
    resolveAfterWindows: int(1, 5),
    snapshotIntervalMs: int(1000, 10_000),
    detectors: { type: 'array', uniqueItems: true, items: { enum: ['volume', 'error_rate', 'new_template', 'silence', 'rare_burst', 'brute_force', 'latency', 'session'] }, default: ['volume', 'error_rate', 'new_template', 'silence', 'rare_burst', 'brute_force', 'latency', 'session'] },
    sessions: obj({
      keyRegex: { type: ['string', 'null'], minLength: 1, maxLength: 1000, default: null },
      keyField: { type: ['string', 'null'], minLength: 1, maxLength: 256, default: null },
      endPattern: { type: ['string', 'null'], minLength: 1, maxLength: 1000, default: null },
      timeoutMs: int(1000, 300_000),
      maxOpen: int(1, 50_000),
      maxEvents: int(1, 1000),
      warmupSessions: int(0, 200),
      minSupport: int(1, 300),
      countSupport: int(1, 1000),
      maxNovelty: { type: 'number', minimum: 0, maximum: 1, default: 0.002 },
      invariantConfidence: { type: 'number', exclusiveMinimum: 0.5, maximum: 1, default: 0.99 },
      maxRatio: { type: 'integer', minimum: 1, maximum: 16, default: 4 },
      maxTemplates: { type: 'integer', minimum: 2, maximum: 4096, default: 256 },
      checkTransitions: { type: 'boolean', default: false },
      adoptAfterSessions: int(1, 100),
      adoptShare: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5 },
    }),
    latencyFields: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 256 }, default: [...DURATION_FIELDS] },
    tuning: obj({
      volume: tuning({ ...defaultVolumeOptions }), error_rate: tuning({ ...defaultErrorRateOptions }), new_template: tuning({ ...defaultNewTemplateOptions }),
      silence: tuning({ ...defaultSilenceOptions }), rare_burst: tuning({ ...defaultRareBurstOptions }), brute_force: tuning({ ...defaultBruteForceOptions }), latency: tuning({ ...defaultLatencyOptions }),
    }),
  }),
  alerting: obj({
    enabled: { type: 'boolean', default: true },
    externalURL: { type: ['string', 'null'], pattern: '^https?://', default: null },
    samples: { type: 'integer', minimum: 0, maximum: 20, default: 5 },
    snapshotIntervalMs: int(1000, 10_000),
    rules: {
      type: 'array', default: [], maxItems: 1000,
      items: { type: 'object', additionalProperties: false, required: ['name'], properties: {
        name: { type: 'string', minLength: 1, maxLength: 128 },
        types: { type: 'array', minItems: 1, items: { type: 'string' } },
        services: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        minSeverity: { enum: ['low', 'medium', 'high', 'critical'] },
        minScore: { type: 'number', minimum: 0 },
        minConfidence: { type: 'number', minimum: 0, maximum: 1 },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      } },
    },
    queryRules: {
      type: 'array', default: [], maxItems: 1000,
      items: { type: 'object', additionalProperties: false, required: ['name', 'query', 'condition'], properties: {
        name: { type: 'string', minLength: 1, maxLength: 128 },
        query: { type: 'string', minLength: 1, maxLength: 16_384 },
        condition: { type: 'string', minLength: 1, maxLength: 64 },
        every: { type: ['string', 'integer'] }, for: { type: ['string', 'integer'] }, range: { type: ['string', 'integer'] },
        severity: { enum: ['low', 'medium', 'high', 'critical'] },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      } },
    },
    receivers: { type: 'array', default: [], maxItems: 100, items: { type: 'object' } },
    route: { type: ['object', 'null'], default: null },
    inhibitRules: { type: 'array', default: [], maxItems: 100, items: { type: 'object' } },
    outbox: obj({
      initialBackoffMs: int(10, 1000), maxBackoffMs: int(100, 300_000), maxAttempts: int(1, 50), maxAgeMs: int(1000, 86_400_000),
      attemptTimeoutMs: int(100, 15_000), historySize: int(10, 1000), maxPending: int(1, 10_000),
    }),
  }),
  sources: { type: 'array', default: [], maxItems: 100, items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } },
  patterns: obj({
    similarity: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.7 },
    maxTemplatesPerService: int(10, 2000),
    maxServices: int(1, 10_000),
    maxTemplates: int(100, 100_000),
    maxTokens: int(8, 256),
    examples: { type: 'integer', minimum: 0, maximum: 20, default: 3 },
    maxExampleChars: int(16, 1024),
    cacheEntries: int(0, 20_000),
    snapshotIntervalMs: int(1000, 10_000),
    maskRules: {
      type: 'array', default: [], maxItems: 100,
      items: { type: 'object', additionalProperties: false, required: ['name', 'pattern'], properties: {
        name: { type: 'string', minLength: 1, maxLength: 64 }, pattern: { type: 'string', minLength: 1, maxLength: 1000 }, replacement: { type: 'string', maxLength: 1000 },
      } },
    },
  }),
  // The dashboard (web/, served under /ui/): its live tail streams poll the store; each costs a query per poll.
  ui: obj({ maxLiveTails: int(1, 16), liveTailPollMs: int(100, 1000) }),
  },
};

const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true, strictTypes: false });
const validateConfig = ajv.compile(configSchema);

function keyOf(instancePath: string, missing?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (missing) parts.push(missing);
  return parts.join('.') || '(root)';
}

/** Validates a raw config object (defaults filled in place) or throws ConfigError naming the key. */
export function resolveConfig(raw: unknown): Config {
  const value = structuredClone(raw ?? {});
  if (!validateConfig(value)) {
    const e = validateConfig.errors?.[0];
    if (!e) throw new ConfigError('(root)', 'invalid');
    if (e.keyword === 'additionalProperties') {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(schemaAt(e.schemaPath)).join(', ');
      throw new ConfigError(keyOf(e.instancePath, extra), `unknown key; allowed keys here: ${allowed}`);
    }
    if (e.keyword === 'enum') {
      throw new ConfigError(keyOf(e.instancePath), `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`);
    }
    throw new ConfigError(keyOf(e.instancePath), e.message ?? 'is invalid');
  }
  return value as Config;
}

function schemaAt(schemaPath: string): Record<string, unknown> {
  // schemaPath like "#/properties/server/additionalProperties": walk to the object's properties.
  let node: unknown = configSchema;
  for (const p of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) node = (node as Record<string, unknown>)[p];
  return ((node as { properties?: Record<string, unknown> }).properties) ?? {};
}

/** Reads a YAML config file (or none) and applies LOGSIFT_* environment overrides. */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  let raw: Record<string, unknown> = {};
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError('(file)', `cannot read config file ${path}: ${errorMessage(err)}`, { cause: err });
    }
    try {
      raw = (parseYaml(text) ?? {}) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError('(file)', `cannot parse YAML in ${path}: ${errorMessage(err)}`, { cause: err });
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('(root)', 'the config file must hold a YAML mapping');
  }
  const cfg = resolveConfig(raw);
  return applyEnv(cfg, env);
}

const snake = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Every config key as its environment variable: `wal.fsync` -> LOGSIFT_WAL__FSYNC, `server.maxBodyBytes` -> LOGSIFT_SERVER__MAX_BODY_BYTES. */
export function envNames(): { key: string; env: string; type: unknown }[] {
  const out: { key: string; env: string; type: unknown }[] = [];
  const walk = (node: { properties?: Record<string, unknown> }, path: string[]) => {
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      const child = v as { properties?: Record<string, unknown>; type?: unknown; enum?: unknown };
      if (child.properties) walk(child, [...path, k]);
      else out.push({ key: [...path, k].join('.'), env: `LOGSIFT_${[...path, k].map(snake).join('__')}`, type: child.type ?? 'string' });
    }
  };
  walk(configSchema as { properties: Record<string, unknown> }, []);
  return out;
}

function envValue(key: string, raw: string, type: unknown): unknown {
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('null') && raw === 'null') return null;
  if (types.includes('boolean')) {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(key, `environment value "${raw}" must be true or false`);
  }
  if (types.includes('array')) {
    try { return JSON.parse(raw) as unknown; } catch (err) { throw new ConfigError(key, `environment value must be a JSON array: ${errorMessage(err)}`); }
  }
  if (types.includes('number')) {
    if (!/^-?\d+(\.\d+)?$/.test(raw.trim())) throw new ConfigError(key, `environment value "${raw}" must be a number`);
    return Number(raw);
  }
  if (types.includes('integer')) {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(key, `environment value "${raw}" must be an integer`);
    return Number(raw);
  }
  return raw;
}

/**
 * Environment variables override the file: every key as LOGSIFT_<SECTION>__<KEY> (see envNames), plus the short
 * forms LOGSIFT_DATA_DIR, LOGSIFT_HOST, LOGSIFT_PORT and LOGSIFT_LOG_LEVEL.
 */
export function applyEnv(cfg: Config, env: NodeJS.ProcessEnv): Config {
  const next = structuredClone(cfg) as unknown as Record<string, unknown>;
  const set = (key: string, value: unknown) => {
    const parts = key.split('.');
    let node = next;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1) ?? key] = value;
  };
  const short: Record<string, string> = { LOGSIFT_DATA_DIR: 'dataDir', LOGSIFT_HOST: 'server.host', LOGSIFT_PORT: 'server.port', LOGSIFT_LOG_LEVEL: 'log.level' };
  for (const { key, env: name, type } of envNames()) {
    const shortName = Object.keys(short).find((n) => short[n] === key);
    const raw = env[name] ?? (shortName ? env[shortName] : undefined);
    if (raw !== undefined && raw !== '') set(key, envValue(key, raw, type));
  }
  return resolveConfig(next);
}

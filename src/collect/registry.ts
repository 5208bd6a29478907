// Source types, registered by config type: each protocol module registers its type with the JSON schema of its
// options and a factory. The composition root builds the configured sources (plus the HTTP protocols that are on by
// default) through buildSources(); a bad option stops the start naming `sources[i].key`.
import { Ajv, type ValidateFunction } from 'ajv';
import { ConfigError } from '../errors.js';
import type { Source } from './source.js';

export interface SourceType {
  readonly type: string;
  /** JSON schema of the options (an object schema; `type`, `name` and `enabled` are added). Defaults are filled in. */
  readonly schema: { type: 'object'; properties: Record<string, unknown>; required?: string[] };
  /** Built with its default options when the config does not list it (the protocols spoken on the main HTTP port). */
  readonly onByDefault?: boolean;
  create(options: Record<string, unknown> & { name: string }): Source;
}

const types = new Map<string, { t: SourceType; validate: ValidateFunction }>();
const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true, strictTypes: false });

export function registerSourceType(t: SourceType): void {
  const schema = {
    ...t.schema, additionalProperties: false,
    properties: { ...t.schema.properties, type: { const: t.type }, name: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$' }, enabled: { type: 'boolean', default: true } },
  };
  types.set(t.type, { t, validate: ajv.compile(schema) });
}

export function sourceTypes(): string[] {
  return [...types.keys()].sort();
}

/**
 * Source names logsift writes under itself: the NDJSON route (`http`), `serve --demo` and WAL recovery. A configured
 * source may not take one: records are stored under their source's name, and a source may ask the store what it wrote
 * (the file source, after a crash).
 */
export const BUILT_IN_WRITERS: readonly string[] = ['http', 'demo', 'wal_recovery'];

/**
 * Validates the `sources` config list and builds each enabled source. Names default to the type and must be unique.
 * Types marked onByDefault that the list does not name are added with default options (`enabled: false` turns one off).
 */
export function buildSources(list: readonly unknown[]): Source[] {
  const out: Source[] = [];
  const names = new Set<string>();
  const listed = new Set<string>();
  const one = (raw: unknown, key: string) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(key, 'must be a mapping with a `type`');
    const type = (raw as { type?: unknown }).type;
    const entry = typeof type === 'string' ? types.get(type) : undefined;
    if (!entry) throw new ConfigError(`${key}.type`, `must be one of ${sourceTypes().join(', ')}`);
    const value = structuredClone(raw) as Record<string, unknown>;
    if (!entry.validate(value)) {
      const e = entry.validate.errors?.[0];
      const path = e?.instancePath.split('/').filter(Boolean).join('.') ?? '';
      const extra = e?.keyword === 'additionalProperties' ? String((e.params as { additionalProperty: string }).additionalProperty) : '';
      const at = [key, path, extra].filter(Boolean).join('.');
      throw new ConfigError(at, extra ? `unknown key; allowed keys here: ${Object.keys(entry.t.schema.properties).concat('type', 'name', 'enabled').join(', ')}` : (e?.message ?? 'is invalid'));
    }
    const name = typeof value.name === 'string' ? value.name : entry.t.type;
    if (BUILT_IN_WRITERS.includes(name)) throw new ConfigError(`${key}.name`, `"${name}" is the source name of logsift's own writers (${BUILT_IN_WRITERS.join(', ')}); choose another`);
    if (names.has(name)) throw new ConfigError(`${key}.name`, `another source is named "${name}"; give each source of one type its own name`);
    names.add(name);
    listed.add(entry.t.type);
    if (value.enabled === false) return;
    out.push(entry.t.create({ ...value, name }));
  };
  list.forEach((raw, i) => one(raw, `sources.${i}`));
  for (const { t } of types.values()) {
    if (t.onByDefault && !listed.has(t.type) && !names.has(t.type)) one({ type: t.type }, `sources.(default ${t.type})`);
  }
  return out;
}

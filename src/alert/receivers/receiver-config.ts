// Building blocks shared by every receiver's config: schema fragments, the injected environment and clock, and
// secrets read either from the config or from a named environment variable.
import { ConfigError } from '../../errors.js';

/** What a receiver factory may take from its surroundings; tests inject both. */
export interface ReceiverDeps {
  /** Where `...Env` keys are looked up (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** The clock (default `Date.now`), e.g. for the webhook's signed timestamp. */
  now?: () => number;
  /** How config errors name this receiver (default `alerting.receivers[name=<name>]`); validation passes the index. */
  keyPath?: string;
}

/** The key path config errors use for a receiver. */
export function receiverKeyPath(name: string, deps: ReceiverDeps): string {
  return deps.keyPath ?? `alerting.receivers[name=${name}]`;
}

/** Every receiver config has these two keys; the rest depends on `type`. */
export interface ReceiverBase {
  name: string;
  type: string;
}

export const nameSchema = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' };
export const httpUrlSchema = { type: 'string', pattern: '^https?://[^\\s]+$', maxLength: 2048 };
export const timeoutMsSchema = { type: 'integer', minimum: 100, maximum: 300_000, default: 10_000 };
export const envNameSchema = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' };
export const secretSchema = { type: 'string', minLength: 1, maxLength: 4096 };

/** A header name (an HTTP token) and a value without line breaks. */
const headerName = { type: 'string', pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]{1,128}$' };
export const headersSchema = {
  type: 'object', default: {}, maxProperties: 32, propertyNames: headerName,
  additionalProperties: { type: 'string', pattern: '^[^\\r\\n\\u0000]*$', maxLength: 8192 },
};
/** Headers whose values are secrets (e.g. `authorization`): header name -> environment variable name. */
export const headersFromEnvSchema = { type: 'object', default: {}, maxProperties: 32, propertyNames: headerName, additionalProperties: envNameSchema };

/** Header names a receiver sets itself; config cannot override them. */
export const reservedHeaders = ['content-type', 'content-length', 'host', 'idempotency-key', 'x-logsift-signature', 'x-logsift-timestamp'];

/**
 * Returns the secret given inline or read from the environment variable `envName`; `undefined` when neither is
 * configured. Throws ConfigError naming `<key>Env` when that variable is unset or empty, or `<key>` when both are set.
 */
export function resolveSecret(keyPath: string, value: string | undefined, envName: string | undefined, env: Record<string, string | undefined>): string | undefined {
  if (value !== undefined && envName !== undefined) {
    throw new ConfigError(keyPath, `set either ${lastKey(keyPath)} or ${lastKey(keyPath)}Env, not both`);
  }
  if (envName === undefined) return value;
  const fromEnv = env[envName];
  if (fromEnv === undefined || fromEnv === '') {
    throw new ConfigError(`${keyPath}Env`, `environment variable ${envName} is not set (or empty); export it, or set ${lastKey(keyPath)} in the config`);
  }
  return fromEnv;
}

/** Static headers plus the ones read from the environment; ConfigError names `<keyPath>.headersFromEnv.<header>`. */
export function resolveHeaders(keyPath: string, headers: Record<string, string>, fromEnv: Record<string, string>, env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  for (const [name, envName] of Object.entries(fromEnv)) {
    const value = env[envName];
    if (value === undefined || value === '') throw new ConfigError(`${keyPath}.headersFromEnv.${name}`, `environment variable ${envName} is not set (or empty)`);
    if (/[\r\n\0]/.test(value)) throw new ConfigError(`${keyPath}.headersFromEnv.${name}`, `environment variable ${envName} contains a line break`);
    out[name.toLowerCase()] = value;
  }
  for (const name of Object.keys(out)) {
    if (reservedHeaders.includes(name)) throw new ConfigError(`${keyPath}.headers.${name}`, `logsift sets this header itself; remove it (reserved: ${reservedHeaders.join(', ')})`);
  }
  return out;
}

function lastKey(keyPath: string): string {
  return keyPath.slice(keyPath.lastIndexOf('.') + 1);
}

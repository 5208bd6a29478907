// API keys with scopes: every route names the scope it needs (route option `config.scope`: ingest, query, admin or
// public; by default GET/HEAD need query and everything else admin). With no key configured, authentication is off.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { ConfigError, HttpError } from '../errors.js';
import type { Metrics } from '../metrics.js';

export type Scope = 'ingest' | 'query' | 'admin';
export type RouteScope = Scope | 'public';

export interface ApiKey { name: string; scopes: ReadonlySet<Scope> }

/** The configured keys, kept as SHA-256 digests and compared in constant time. */
export class KeyRing {
  private constructor(private readonly keys: { name: string; digest: Buffer; scopes: Set<Scope> }[]) {}

  get enabled(): boolean { return this.keys.length > 0; }

  /** Reads each key from the config, its environment variable or its file; a missing or short key stops the start. */
  static from(auth: Config['auth'], env: NodeJS.ProcessEnv = process.env): KeyRing {
    const seen = new Set<string>();
    const keys = auth.keys.map((k, i) => {
      const at = `auth.keys.${i}`;
      const sources = [k.key !== undefined, k.keyEnv !== undefined, k.keyFile !== undefined].filter(Boolean).length;
      if (sources !== 1) throw new ConfigError(at, 'give exactly one of key, keyEnv or keyFile');
      let secret: string;
      if (k.key !== undefined) secret = k.key;
      else if (k.keyEnv !== undefined) {
        const v = env[k.keyEnv];
        if (v === undefined || v === '') throw new ConfigError(`${at}.keyEnv`, `the environment variable ${k.keyEnv} is not set`);
        secret = v;
      } else {
        try { secret = readFileSync(k.keyFile as string, 'utf8').trim(); } catch (err) {
          throw new ConfigError(`${at}.keyFile`, `cannot read ${k.keyFile}: ${(err as Error).message}`);
        }
      }
      if (secret.length < auth.minKeyLength) throw new ConfigError(at, `the key is shorter than auth.minKeyLength (${auth.minKeyLength}); use a long random key, e.g. \`openssl rand -hex 32\``);
      if (/\s/.test(secret)) throw new ConfigError(at, 'the key contains white space');
      if (seen.has(k.name)) throw new ConfigError(`${at}.name`, `another key is named "${k.name}"`);
      seen.add(k.name);
      return { name: k.name, digest: digest(secret), scopes: new Set<Scope>(k.scopes) };
    });
    return new KeyRing(keys);
  }

  /** The key a presented secret is, or undefined. Every key is compared, so timing says nothing about which matched. */
  find(secret: string): ApiKey | undefined {
    const d = digest(secret);
    let found: ApiKey | undefined;
    for (const k of this.keys) if (timingSafeEqual(d, k.digest) && !found) found = { name: k.name, scopes: k.scopes };
    return found;
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The secrets a request presents: `Authorization: Bearer <key>`, `ApiKey <key>` (as Elasticsearch clients send it,
 * also base64 of `id:key`), `Basic` with the key as password (Filebeat, Promtail), or an `X-API-Key` header. Never a
 * query parameter: keys stay out of URLs and access logs.
 */
export function presentedSecrets(req: FastifyRequest): string[] {
  const out: string[] = [];
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(h);
    const scheme = m?.[1]?.toLowerCase();
    const value = m?.[2] ?? '';
    if (scheme === 'bearer') out.push(value);
    else if (scheme === 'apikey') {
      out.push(value);
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) out.push(decoded.slice(colon + 1));
    } else if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) out.push(decoded.slice(colon + 1));
    }
  }
  const x = req.headers['x-api-key'];
  if (typeof x === 'string' && x.length > 0) out.push(x.trim());
  return out;
}

/** The scope a request needs: its route's `config.scope`, else query for reads and admin for everything else. */
export function requiredScope(req: FastifyRequest, publicMetrics: boolean): RouteScope {
  const declared = (req.routeOptions.config as { scope?: RouteScope } | undefined)?.scope;
  if (declared) return declared;
  if (publicMetrics && req.routeOptions.url === '/metrics') return 'public';
  return req.method === 'GET' || req.method === 'HEAD' ? 'query' : 'admin';
}

/** Admin keys may do everything; other keys only what they name. */
export const allows = (key: ApiKey, scope: Scope) => key.scopes.has('admin') || key.scopes.has(scope);

/**
 * Checks every request before anything else runs (before an ingest body is reserved or read): 401 without a valid
 * key, 403 when the key lacks the route's scope. The key's name is put on the request for the log.
 */
export function installAuth(app: FastifyInstance, ring: KeyRing, publicMetrics: boolean, metrics: Metrics): void {
  if (!ring.enabled) return;
  app.addHook('onRequest', async (req, reply) => {
    const scope = requiredScope(req, publicMetrics);
    if (scope === 'public') return;
    const secrets = presentedSecrets(req);
    let key: ApiKey | undefined;
    for (const s of secrets) { key = ring.find(s); if (key) break; }
    if (!key) {
      metrics.authFailures.inc({ reason: secrets.length === 0 ? 'missing' : 'invalid' });
      void reply.header('www-authenticate', 'Bearer realm="logsift"');
      throw new HttpError(401, 'http_unauthorized', secrets.length === 0
        ? 'this server requires an API key: send Authorization: Bearer <key> (the CLI reads LOGSIFT_API_KEY)'
        : 'the API key is not valid');
    }
    if (!allows(key, scope)) {
      metrics.authFailures.inc({ reason: 'scope' });
      throw new HttpError(403, 'http_forbidden', `the API key "${key.name}" lacks the ${scope} scope this request needs`);
    }
  });
}

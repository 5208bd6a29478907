import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fastify } from 'fastify';
import { installAuth, KeyRing } from './auth.js';
import { installErrorHandler } from './errors.js';
import { createMetrics } from '../metrics.js';
import { ConfigError } from '../errors.js';

const auth = (keys: unknown[], extra: Record<string, unknown> = {}) => ({ keys, publicMetrics: false, minKeyLength: 16, ...extra }) as never;

test('keys come from the config, an environment variable or a file; short, blank or doubly given keys stop the start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsift-auth-'));
  writeFileSync(join(dir, 'k'), 'file-key-0123456789abcdef\n');
  const ring = KeyRing.from(auth([
    { name: 'a', key: 'inline-key-0123456789', scopes: ['ingest'] },
    { name: 'b', keyEnv: 'MY_KEY', scopes: ['query'] },
    { name: 'c', keyFile: join(dir, 'k'), scopes: ['admin'] },
  ]), { MY_KEY: 'env-key-0123456789abcdef' });
  assert.equal(ring.find('inline-key-0123456789')?.name, 'a');
  assert.equal(ring.find('env-key-0123456789abcdef')?.name, 'b');
  assert.equal(ring.find('file-key-0123456789abcdef')?.name, 'c');
  assert.equal(ring.find('inline-key-012345678'), undefined);
  assert.throws(() => KeyRing.from(auth([{ name: 'a', key: 'short', scopes: ['ingest'] }])), (e: unknown) => e instanceof ConfigError && /minKeyLength/.test(e.message));
  assert.throws(() => KeyRing.from(auth([{ name: 'a', keyEnv: 'NOPE', scopes: ['ingest'] }]), {}), /NOPE is not set/);
  assert.throws(() => KeyRing.from(auth([{ name: 'a', key: 'inline-key-0123456789', keyEnv: 'X', scopes: ['ingest'] }])), /exactly one/);
  assert.throws(() => KeyRing.from(auth([{ name: 'a', key: 'inline-key-0123456789', scopes: ['ingest'] }, { name: 'a', key: 'other-key-0123456789ab', scopes: ['ingest'] }])), /another key/);
  assert.equal(KeyRing.from(auth([])).enabled, false);
});

test('routes need their scope: 401 without or with a wrong key, 403 without the scope; admin may do all; public routes are open', async () => {
  const ring = KeyRing.from(auth([
    { name: 'shipper', key: 'ingest-key-0123456789', scopes: ['ingest'] },
    { name: 'reader', key: 'query-key-01234567890', scopes: ['query'] },
    { name: 'ops', key: 'admin-key-01234567890', scopes: ['admin'] },
  ]));
  const app = fastify();
  const metrics = createMetrics();
  installErrorHandler(app);
  installAuth(app, ring, false, metrics);
  app.post('/ingest', { config: { scope: 'ingest' } }, async () => ({ ok: true }));
  app.get('/read', async () => ({ ok: true }));
  app.post('/admin', async () => ({ ok: true }));
  app.get('/healthz', { config: { scope: 'public' } }, async () => ({ ok: true }));
  const call = async (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}) => (await app.inject({ method, url, headers })).statusCode;
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  assert.equal(await call('GET', '/healthz'), 200);
  assert.equal(await call('POST', '/ingest'), 401);
  assert.equal(await call('POST', '/ingest', { authorization: 'Bearer nope-nope-nope-nope' }), 401);
  assert.equal(await call('POST', '/ingest', { authorization: 'Bearer ingest-key-0123456789' }), 200);
  assert.equal(await call('POST', '/ingest', { authorization: basic('filebeat', 'ingest-key-0123456789') }), 200);
  assert.equal(await call('POST', '/ingest', { authorization: 'ApiKey ingest-key-0123456789' }), 200);
  assert.equal(await call('POST', '/ingest', { authorization: `ApiKey ${Buffer.from('id1:ingest-key-0123456789').toString('base64')}` }), 200);
  assert.equal(await call('POST', '/ingest', { 'x-api-key': 'ingest-key-0123456789' }), 200);
  assert.equal(await call('GET', '/read', { authorization: 'Bearer ingest-key-0123456789' }), 403);
  assert.equal(await call('GET', '/read', { authorization: 'Bearer query-key-01234567890' }), 200);
  assert.equal(await call('POST', '/ingest', { authorization: 'Bearer query-key-01234567890' }), 403);
  assert.equal(await call('POST', '/admin', { authorization: 'Bearer query-key-01234567890' }), 403);
  for (const [m, u] of [['POST', '/ingest'], ['GET', '/read'], ['POST', '/admin']] as const) assert.equal(await call(m, u, { authorization: 'Bearer admin-key-01234567890' }), 200);
  const res = await app.inject({ method: 'GET', url: '/read' });
  assert.equal(res.headers['www-authenticate'], 'Bearer realm="logsift"');
  assert.equal(JSON.parse(res.body).error.code, 'http_unauthorized');
  const text = await metrics.registry.metrics();
  assert.match(text, /logsift_auth_failures_total\{reason="scope"\} 3/);
  assert.match(text, /logsift_auth_failures_total\{reason="missing"\} 2/);
  await app.close();
});

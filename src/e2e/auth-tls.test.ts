// API keys and TLS against a real server: HTTPS with a self-signed certificate, keys with scopes, and the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { binPath, startServer, tempDir, type RunningServer } from './harness.js';

const run = promisify(execFile);
const KEYS = { ingest: 'ingest-key-e2e-0123456789abcdef', query: 'query-key-e2e-0123456789abcdef', admin: 'admin-key-e2e-0123456789abcdef' };

let openssl = true;
try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); } catch { openssl = false; }
const skip = openssl ? false : 'openssl is not installed: the TLS end-to-end test needs it to make a self-signed certificate';
if (skip) console.warn(`SKIP auth-tls.test: ${skip}`);

let server: RunningServer;
let dir: string;
let ca: Buffer;

function call(method: string, url: string, opts: { key?: string; body?: string; type?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.type) headers['content-type'] = opts.type;
    const req = request(url, { method, ca, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

before(async () => {
  if (skip) return;
  dir = tempDir('auth-tls');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  ca = readFileSync(join(dir, 'cert.pem'));
  server = await startServer(join(dir, 'data'), {
    wal: { flushIntervalMs: 100 },
    server: { tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } },
    auth: { keys: [
      { name: 'shipper', key: KEYS.ingest, scopes: ['ingest'] },
      { name: 'reader', keyEnv: 'E2E_QUERY_KEY', scopes: ['query'] },
      { name: 'ops', key: KEYS.admin, scopes: ['admin'] },
    ] },
  }, [], { E2E_QUERY_KEY: KEYS.query });
});
after(async () => { await server?.stop(); });

test('over HTTPS, a request without a valid key stores nothing; each key does what its scopes allow', { skip }, async () => {
  assert.match(server.url, /^https:\/\//);
  const line = JSON.stringify({ level: 'info', service: 'auth-e2e', message: 'stored with a key' });
  assert.equal((await call('GET', `${server.url}/healthz`)).status, 200);
  // The dashboard's files load without a key (it asks for one when its API calls get 401).
  const ui = await call('GET', `${server.url}/ui/`);
  assert.ok(ui.status === 200 || ui.status === 503, `the dashboard's page is public (got ${ui.status})`);
  assert.equal((await call('GET', `${server.url}/api/v1/tail/stream?q=*`)).status, 401);
  assert.equal((await call('POST', `${server.url}/api/v1/logs`, { body: line, type: 'application/x-ndjson' })).status, 401);
  assert.equal((await call('POST', `${server.url}/api/v1/logs`, { key: 'not-a-key-0123456789abcdef', body: line, type: 'application/x-ndjson' })).status, 401);
  assert.equal((await call('POST', `${server.url}/api/v1/logs`, { key: KEYS.query, body: line, type: 'application/x-ndjson' })).status, 403);
  const ok = await call('POST', `${server.url}/api/v1/logs`, { key: KEYS.ingest, body: line, type: 'application/x-ndjson' });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(JSON.parse(ok.body).accepted, 1);
  assert.equal((await call('POST', `${server.url}/api/v1/admin/flush`, { key: KEYS.query })).status, 403);
  assert.equal((await call('POST', `${server.url}/api/v1/admin/flush`, { key: KEYS.admin })).status, 200);
  const q = `${server.url}/api/v1/query?q=${encodeURIComponent('service:auth-e2e')}`;
  assert.equal((await call('GET', q)).status, 401);
  assert.equal((await call('GET', q, { key: KEYS.ingest })).status, 403);
  const rows = await call('GET', q, { key: KEYS.query });
  assert.equal(rows.status, 200);
  assert.equal(JSON.parse(rows.body).rows.length, 1, 'the refused requests stored nothing');
  assert.equal((await call('GET', `${server.url}/metrics`, { key: KEYS.ingest })).status, 403);
  const metrics = await call('GET', `${server.url}/metrics`, { key: KEYS.query });
  assert.match(metrics.body, /logsift_auth_failures_total\{reason="missing"\} 3/);
});

test('the CLI sends LOGSIFT_API_KEY and trusts the CA in NODE_EXTRA_CA_CERTS', { skip }, async () => {
  const env = { ...process.env, LOGSIFT_URL: server.url, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') };
  const r = await run(process.execPath, [binPath, 'query', 'service:auth-e2e', '--json'], { env: { ...env, LOGSIFT_API_KEY: KEYS.query } });
  assert.match(r.stdout, /stored with a key/);
  await assert.rejects(run(process.execPath, [binPath, 'query', 'service:auth-e2e'], { env }), (e: { stderr?: string }) => /API key/.test(e.stderr ?? ''));
});

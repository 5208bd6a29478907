// The dashboard's static files: content types, caching, CSP, client-route fallback, and a clear 503 when not built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fastify } from 'fastify';
import type { Engine } from '../pipeline.js';
import { tempDir } from '../e2e/harness.js';
import { registerUiRoutes, UI_CSP } from './routes-ui.js';

const engine = { config: { ui: { maxLiveTails: 1, liveTailPollMs: 1000 }, query: { maxQueryChars: 100, maxLimit: 10 } } } as unknown as Engine;

test('built files are served with their types, hashed assets cached for good, client routes get the app, all with the CSP', async () => {
  const root = tempDir('ui-static');
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/ui/assets/app-1a2b.js"></script>');
  writeFileSync(join(root, 'assets', 'app-1a2b.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  writeFileSync(join(root, 'assets', 'app-1a2b.css'), 'body{color:red}');
  const app = fastify();
  registerUiRoutes(app, engine, root);
  try {
    const index = await app.inject({ url: '/ui/' });
    assert.equal(index.statusCode, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.equal(index.headers['content-security-policy'], UI_CSP);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    assert.equal(index.headers['referrer-policy'], 'no-referrer');
    const js = await app.inject({ url: '/ui/assets/app-1a2b.js', headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(js.rawPayload).toString(), /^console\.log/);
    assert.equal((await app.inject({ url: '/ui/assets/app-1a2b.css' })).headers['content-type'], 'text/css; charset=utf-8');
    const route = await app.inject({ url: '/ui/anomalies/abc' });
    assert.equal(route.statusCode, 200);
    assert.match(route.body, /^<!doctype html>/);
    assert.equal((await app.inject({ url: '/ui/assets/missing.js' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/ui/../package.json' })).statusCode, 404);
    const bare = await app.inject({ url: '/ui' });
    assert.equal(bare.statusCode, 301);
    assert.equal(bare.headers.location, '/ui/');
  } finally {
    await app.close();
  }
});

test('without a build, /ui/ says how to build it', async () => {
  const app = fastify();
  registerUiRoutes(app, engine, join(tempDir('ui-none'), 'nothing-here'));
  try {
    const res = await app.inject({ url: '/ui/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build/);
  } finally {
    await app.close();
  }
});

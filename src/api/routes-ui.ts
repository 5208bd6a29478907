// The dashboard: serves the built front end (dist/web) under /ui/ with a strict CSP, and registers its live tail.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Engine } from '../pipeline.js';
import { registerLiveTailRoute } from './routes-live-tail.js';

/** The Content-Security-Policy of every dashboard response: no inline script or style, nothing from another origin. */
export const UI_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

interface UiFile { body: Buffer; gzip: Buffer | undefined; type: string; immutable: boolean }

/** Reads the built dashboard once: a few hundred kB, gzipped ahead of time so the first screen is one small transfer. */
export function loadUiFiles(root: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  if (!existsSync(root)) return files;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) { walk(p); continue; }
      const rel = relative(root, p).split(sep).join('/');
      const body = readFileSync(p);
      const type = TYPES[extname(name)] ?? 'application/octet-stream';
      const compressible = body.length > 1024 && /text|javascript|json|svg/.test(type);
      // Vite names every asset after its content hash: it can be cached for good.
      files.set(rel, { body, gzip: compressible ? gzipSync(body, { level: 9 }) : undefined, type, immutable: rel.startsWith('assets/') });
    }
  };
  walk(root);
  return files;
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', UI_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

export function registerUiRoutes(app: FastifyInstance, engine: Engine, root = fileURLToPath(new URL('../web/', import.meta.url))): void {
  const files = loadUiFiles(root);
  registerLiveTailRoute(app, engine);

  const send = (reply: FastifyReply, f: UiFile, acceptEncoding: string | undefined) => {
    securityHeaders(reply).type(f.type).header('vary', 'accept-encoding')
      .header('cache-control', f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (f.gzip && /\bgzip\b/.test(acceptEncoding ?? '')) return reply.header('content-encoding', 'gzip').send(f.gzip);
    return reply.send(f.body);
  };

  // The app's files are public (a browser cannot send a key with a page load); every API call it makes needs a key.
  const open = { config: { scope: 'public' } };
  app.get('/ui', open, async (_req, reply) => reply.redirect('/ui/', 301));
  // The Elasticsearch source answers `GET /` (and sends browsers here); without it, `/` is the dashboard's.
  if (!(engine.sources ?? []).some((s) => s.type === 'elasticsearch' && (s.status?.() as { mountAtRoot?: boolean } | undefined)?.mountAtRoot !== false)) {
    app.get('/', open, async (_req, reply) => reply.redirect('/ui/', 302));
  }
  app.get<{ Params: { '*': string } }>('/ui/*', open, async (req, reply) => {
    const path = req.params['*'];
    const index = files.get('index.html');
    if (!index) {
      return securityHeaders(reply).code(503).type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run `npm run build` (tsc and vite build into dist/web), then restart logsift serve.\n');
    }
    const f = files.get(path);
    if (f) return send(reply, f, req.headers['accept-encoding']);
    // A client-side route (no file extension) gets the app; a missing asset is a plain 404.
    if (path === '' || !/\.[a-z0-9]+$/i.test(path)) return send(reply, index, req.headers['accept-encoding']);
    return securityHeaders(reply).code(404).type('text/plain; charset=utf-8').send('not found\n');
  });
}

// `logsift serve`: opens the engine on its data directory and serves the HTTP API; `--demo` feeds it generated logs.
import type { Command } from 'commander';
import { loadConfig, resolveConfig, type Config } from '../config.js';
import { Engine } from '../pipeline.js';
import { buildServer } from '../api/server.js';
import { createDemoSource } from '../collect/demo/demo-source.js';
import { runSource } from '../collect/source.js';

export interface ServeFlags { config?: string; dataDir?: string; host?: string; port?: string; demo?: boolean; demoRate?: string }

export function configFromFlags(f: { config?: string; dataDir?: string; host?: string; port?: string }): Config {
  const cfg = loadConfig(f.config);
  const over = structuredClone(cfg);
  if (f.dataDir) over.dataDir = f.dataDir;
  if (f.host) over.server.host = f.host;
  if (f.port !== undefined) over.server.port = Number(f.port);
  // Re-validated after flags, so a bad --port is reported like a bad config key.
  return resolveConfig(over);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the server with its embedded store (HTTP API, ingest, query, metrics)')
    .option('-c, --config <file>', 'YAML config file (see docs/configuration.md)')
    .option('-d, --data-dir <dir>', 'data directory (env LOGSIFT_DATA_DIR)')
    .option('--host <host>', 'listen address (env LOGSIFT_HOST; default 127.0.0.1)')
    .option('-p, --port <port>', 'listen port (env LOGSIFT_PORT; default 8080)')
    .option('--demo', 'feed the server with the built-in realistic demo log generator')
    .option('--demo-rate <linesPerSecond>', 'demo lines per second (default demo.linesPerSecond)')
    .action(async (f: ServeFlags) => {
      const cfg = configFromFlags(f);
      if (f.demoRate) cfg.demo.linesPerSecond = Number(f.demoRate);
      const engine = await Engine.open(cfg);
      const app = await buildServer(engine);
      const addr = await app.listen({ host: cfg.server.host, port: cfg.server.port });
      await engine.startSources();
      engine.log.info({ address: addr, dataDir: cfg.dataDir }, `logsift listening on ${addr}`);
      const demo = new AbortController();
      if (f.demo) {
        const source = createDemoSource(cfg.demo);
        void runSource(source, demo.signal, (b) => engine.ingest('lines', b.body, { receivedAt: engine.now(), source: source.name, ...(b.service ? { service: b.service } : {}) }))
          .catch((err) => engine.log.error({ err }, 'demo source stopped'));
      }
      if (f.demo) engine.log.info({ linesPerSecond: cfg.demo.linesPerSecond }, `demo generator feeding ${addr}; try: npx logsift query "level:error | stats count() by (service)"`);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        engine.log.info({ signal }, 'shutting down');
        demo.abort();
        await app.close();
        await engine.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}

// `logsift export --out DIR`: seals closed days and copies the Hive-partitioned Parquet lake to DIR.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { api, ApiError, defaultUrl } from './client.js';
import { configFromFlags } from './serve.js';
import { Engine } from '../pipeline.js';
import { listParts } from '../store/partitions.js';
import { LogsiftError } from '../errors.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('copy sealed partitions as a Hive-partitioned Parquet lake: DIR/date=YYYY-MM-DD/service=NAME/*.parquet')
    .requiredOption('-o, --out <dir>', 'target directory')
    .option('-c, --config <file>', 'YAML config file')
    .option('-d, --data-dir <dir>', 'data directory')
    .option('-u, --url <url>', 'server URL; when a server runs there it seals closed days first', defaultUrl())
    .option('--since <date>', 'only days on or after YYYY-MM-DD')
    .action(async (f: { out: string; config?: string; dataDir?: string; url: string; since?: string }) => {
      const cfg = configFromFlags(f);
      try {
        await api({ url: f.url }, '/api/v1/admin/maintain', { method: 'POST' });
      } catch (err) {
        if (err instanceof ApiError) throw err;
        if (!(err instanceof LogsiftError)) throw err;
        // No server: open the data directory ourselves to seal closed days.
        const engine = await Engine.open(cfg);
        try { await engine.maintain(); } finally { await engine.close(); }
      }
      const partsDir = join(resolve(cfg.dataDir), 'parts');
      const parts = (await listParts(partsDir)).filter((p) => !f.since || p.date >= f.since);
      let bytes = 0;
      for (const p of parts) {
        const target = join(resolve(f.out), relative(partsDir, p.path));
        await mkdir(dirname(target), { recursive: true });
        await copyFile(p.path, target);
        bytes += p.bytes;
      }
      process.stdout.write(`exported ${parts.length} Parquet files (${(bytes / 1048576).toFixed(1)} MiB) to ${resolve(f.out)}\n`);
    });
}

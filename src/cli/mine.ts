// `logsift mine --input F --output F.ndjson [--message-only]`: mines a file offline, one template per input line.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { configFromFlags } from './serve.js';
import { OfflineMiner } from '../patterns/offline.js';
import { patternsOptions } from '../patterns/options.js';
import { LogsiftError, errorMessage } from '../errors.js';

export function registerMine(program: Command): void {
  program
    .command('mine')
    .description('mine message templates from a log file offline: writes {"line","template_id","template"} per input line, in input order')
    .requiredOption('-i, --input <file>', 'log file to read (- for stdin)')
    .requiredOption('-o, --output <file>', 'NDJSON file to write (- for stdout)')
    .option('--message-only', 'each line is only the message (otherwise the normalizer finds the message in the raw line)')
    .option('-s, --service <name>', 'template namespace of the whole input', 'mine')
    .option('-c, --config <file>', 'YAML config file (its patterns and normalize sections apply)')
    .action(async (f: { input: string; output: string; messageOnly?: boolean; service: string; config?: string }) => {
      const cfg = configFromFlags({ ...(f.config ? { config: f.config } : {}) });
      const miner = new OfflineMiner({ messageOnly: f.messageOnly === true, service: f.service, normalize: cfg.normalize, miner: patternsOptions(cfg.patterns) });
      const t0 = performance.now();
      const input = f.input === '-' ? process.stdin : createReadStream(f.input, { highWaterMark: 1 << 20 });
      try {
        for await (const line of createInterface({ input, crlfDelay: Infinity })) miner.add(line);
      } catch (err) {
        throw new LogsiftError('io_failed', `cannot read ${f.input}: ${errorMessage(err)}`, { cause: err });
      }
      const minedMs = performance.now() - t0;
      const out = f.output === '-' ? process.stdout : createWriteStream(f.output);
      const failed = new Promise<never>((_, reject) => out.once('error', (err) => reject(new LogsiftError('io_failed', `cannot write ${f.output}: ${err.message}`, { cause: err }))));
      failed.catch(() => undefined);
      let chunk = '';
      for (const r of miner.results()) {
        chunk += `${JSON.stringify(r)}\n`;
        if (chunk.length >= 1 << 16) {
          if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
          chunk = '';
        }
      }
      if (out !== process.stdout) {
        out.end(chunk);
        await Promise.race([once(out, 'finish'), failed]);
      } else if (chunk) out.write(chunk);
      const s = miner.miner.stats;
      process.stderr.write(`mined ${miner.lines} lines into ${s.templates} templates in ${(minedMs / 1000).toFixed(2)} s (${Math.round(miner.lines / (minedMs / 1000))} lines/s)${s.evicted ? `; ${s.evicted} rare templates evicted (patterns.maxTemplatesPerService)` : ''}\n`);
    });
}

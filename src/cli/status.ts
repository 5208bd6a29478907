// `logsift status`: what the running server holds and how its write path is doing.
import type { Command } from 'commander';
import { api, defaultUrl } from './client.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('store sizes, write-path health and dead-letter counts of a running server')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .action(async (f: { url: string }) => {
      process.stdout.write(JSON.stringify(await api({ url: f.url }, '/api/v1/status'), null, 2) + '\n');
    });
}

// `logsift dlq list|show|replay`: inspect dead letters verbatim and replay them after a configuration change.
import type { Command } from 'commander';
import { api, defaultUrl } from './client.js';
import { cell, renderTable } from './table.js';
import type { DeadLetterEntry } from '../store/dead-letters.js';

export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('inspect and replay the dead-letter store (records that could not be stored)');
  dlq
    .command('list')
    .description('counts by reason and the newest entries')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .option('-r, --reason <code>', 'only this reason code')
    .option('-n, --limit <n>', 'entries to show', '20')
    .option('--all', 'include entries already replayed')
    .option('--json', 'raw JSON')
    .action(async (f: { url: string; reason?: string; limit: string; all?: boolean; json?: boolean }) => {
      const p = new URLSearchParams({ limit: f.limit, ...(f.reason ? { reason: f.reason } : {}), ...(f.all ? { all: 'true' } : {}) });
      const r = await api<{ counts: Record<string, number>; entries: DeadLetterEntry[] }>({ url: f.url }, `/api/v1/dlq?${p}`);
      if (f.json) { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); return; }
      const counts = Object.entries(r.counts);
      process.stdout.write(counts.length ? counts.map(([k, v]) => `${k}: ${v}`).join('\n') + '\n\n' : 'the dead-letter store is empty\n');
      if (r.entries.length) {
        const rows = r.entries.map((e) => ({ ...e, raw: e.raw_text ?? `(binary, ${e.size} bytes)` }));
        process.stdout.write(renderTable(['id', 'received_at', 'source', 'reason', 'raw'], rows) + '\n');
      }
    });
  dlq
    .command('show <id>')
    .description('one entry: reason, error and the raw bytes exactly as received')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .option('--raw', 'write only the raw bytes to stdout (for piping)')
    .action(async (id: string, f: { url: string; raw?: boolean }) => {
      const e = await api<DeadLetterEntry>({ url: f.url }, `/api/v1/dlq/${encodeURIComponent(id)}`);
      if (f.raw) { process.stdout.write(Buffer.from(e.raw_base64, 'base64')); return; }
      process.stdout.write([
        `id:          ${e.id}`, `received_at: ${e.received_at}`, `source:      ${cell(e.source)}`, `reason:      ${e.reason}`,
        `error:       ${cell(e.error, 2000)}`, `size:        ${e.size} bytes`, `replays:     ${e.replay_count}${e.replayed_at ? ` (replayed ${e.replayed_at})` : ''}`,
        `raw (escaped): ${e.raw_text === null ? '(not UTF-8; base64) ' + e.raw_base64 : cell(e.raw_text, 100_000)}`,
      ].join('\n') + '\n');
    });
  dlq
    .command('replay [ids...]')
    .description('run entries through the current configuration again; those that now pass are stored')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .option('-r, --reason <code>', 'only entries with this reason')
    .action(async (ids: string[], f: { url: string; reason?: string }) => {
      const body = { ...(ids.length ? { ids } : {}), ...(f.reason ? { reason: f.reason } : {}) };
      const r = await api<{ replayed: number; failed: number; records: number; stoppedEarly: boolean }>({ url: f.url }, '/api/v1/dlq/replay', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      process.stdout.write(`replayed ${r.replayed} entries (${r.records} records stored); ${r.failed} still failing\n`);
      if (r.stoppedEarly) process.stdout.write('stopped early: the write path is busy; run the replay again to go on\n');
    });
}

// `logsift ingest <file|->`: streams a file or stdin to the server in line-aligned batches, with progress and a summary.
import { createReadStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import { api, ApiError, defaultUrl } from './client.js';

interface IngestResponse { accepted: number; rejected: number; skipped: number; rejected_by_reason: Record<string, number> }
interface IngestSummary extends IngestResponse { cutLines: number; cutBytes: number }

export interface IngestFlags { url: string; service?: string; batchBytes: string; quiet?: boolean }

async function postBatch(url: string, body: Buffer, service: string | undefined): Promise<IngestResponse> {
  const path = `/api/v1/logs${service ? `?service=${encodeURIComponent(service)}` : ''}`;
  for (let attempt = 0; ; attempt++) {
    try {
      return await api<IngestResponse>({ url }, path, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    } catch (err) {
      // 429/503 mean "back off": wait and retry the same batch, so nothing is dropped.
      if (err instanceof ApiError && (err.status === 429 || err.status === 503) && attempt < 100) {
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** Math.min(attempt, 5))));
        continue;
      }
      throw err;
    }
  }
}

export async function ingestStream(input: NodeJS.ReadableStream, totalBytes: number | undefined, f: IngestFlags): Promise<IngestSummary> {
  const batchBytes = Number(f.batchBytes);
  const sum: IngestSummary = { accepted: 0, rejected: 0, skipped: 0, rejected_by_reason: {}, cutLines: 0, cutBytes: 0 };
  const progress = !f.quiet && process.stderr.isTTY;
  let sent = 0;
  let carry: Buffer = Buffer.alloc(0);
  const started = Date.now();
  const send = async (buf: Buffer) => {
    const r = await postBatch(f.url, buf, f.service);
    sum.accepted += r.accepted; sum.rejected += r.rejected; sum.skipped += r.skipped;
    for (const [k, v] of Object.entries(r.rejected_by_reason)) sum.rejected_by_reason[k] = (sum.rejected_by_reason[k] ?? 0) + v;
    sent += buf.length;
    if (progress) {
      const pct = totalBytes ? ` ${((100 * sent) / totalBytes).toFixed(1)}%` : '';
      const rate = sum.accepted / Math.max(0.001, (Date.now() - started) / 1000);
      process.stderr.write(`\r\x1b[Kingest${pct}  ${(sent / 1048576).toFixed(1)} MiB  ${sum.accepted} accepted  ${sum.rejected} rejected  ${Math.round(rate)} lines/s`);
    }
  };
  // A line longer than this is not sent (the server would refuse it anyway) and is skipped as it streams by, so one
  // endless line cannot hold the whole input in memory; the summary counts it.
  const maxLine = Math.max(batchBytes, 1 << 20);
  let skipping = false;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    carry = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    if (skipping) {
      const nl = carry.indexOf(0x0a);
      sum.cutBytes += nl === -1 ? carry.length : nl + 1;
      if (nl === -1) { carry = Buffer.alloc(0); continue; }
      carry = carry.subarray(nl + 1);
      skipping = false;
    }
    while (carry.length >= batchBytes) {
      // Cut at the last newline inside the batch so that no line is split across two requests.
      const cut = carry.lastIndexOf(0x0a, batchBytes - 1);
      const end = cut === -1 ? carry.indexOf(0x0a, batchBytes) : cut;
      if (end === -1) {
        if (carry.length < maxLine) break;
        // Sending a cut line would store a cut record (or a dead letter that claims to be whole): skip it, say so.
        sum.cutLines++;
        sum.cutBytes += carry.length;
        carry = Buffer.alloc(0);
        skipping = true;
        break;
      }
      await send(carry.subarray(0, end + 1));
      carry = carry.subarray(end + 1);
    }
  }
  if (carry.length) await send(carry);
  if (progress) process.stderr.write('\n');
  return sum;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest <file>')
    .description('send a log file (or - for stdin) to a running server; any mix of formats, one record per line')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .option('-s, --service <name>', 'service for lines that name none')
    .option('--batch-bytes <n>', 'bytes per request', String(1 << 20))
    .option('-q, --quiet', 'no progress bar')
    .action(async (file: string, f: IngestFlags) => {
      const stdin = file === '-';
      const input = stdin ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
      const total = stdin ? undefined : statSync(file).size;
      const sum = await ingestStream(input, total, f);
      const reasons = Object.entries(sum.rejected_by_reason).map(([k, v]) => `${k}=${v}`).join(' ');
      process.stdout.write(`accepted ${sum.accepted}, rejected ${sum.rejected}${reasons ? ` (${reasons})` : ''}, blank lines skipped ${sum.skipped}\n`);
      if (sum.cutLines > 0) process.stdout.write(`${sum.cutLines} line(s) longer than ${Math.max(Number(f.batchBytes), 1 << 20)} bytes were not sent (${sum.cutBytes} bytes); split them or send them another way\n`);
      if (sum.rejected > 0) process.stdout.write('rejected lines are in the dead-letter store: `logsift dlq list`\n');
    });
}

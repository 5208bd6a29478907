// `logsift ingest <file|->`: streams a file or stdin to the server in line-aligned batches, with progress and a summary.
import { createReadStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import { api, ApiError, defaultUrl } from './client.js';
import { LineGrouper, type TailRecord } from '../collect/file/multiline.js';
import { encodeTextRecords, TEXT_RECORDS_MEDIA_TYPE } from '../collect/text-records.js';

interface IngestResponse { accepted: number; rejected: number; skipped: number; rejected_by_reason: Record<string, number> }
interface IngestSummary extends IngestResponse { cutLines: number; cutBytes: number }

export interface IngestFlags { url: string; service?: string; batchBytes: string; quiet?: boolean; flushMs?: string; multilineStart?: string; multilineTimeoutMs?: string }

async function postBatch(url: string, body: Buffer, service: string | undefined, contentType: string): Promise<IngestResponse> {
  const path = `/api/v1/logs${service ? `?service=${encodeURIComponent(service)}` : ''}`;
  for (let attempt = 0; ; attempt++) {
    try {
      return await api<IngestResponse>({ url }, path, { method: 'POST', body, headers: { 'content-type': contentType } });
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

const QUIET = Symbol('quiet');

/**
 * Streams input to the server in line-aligned batches of about batchBytes. Complete lines are also sent after
 * flushMs without new input (a pipe from an app that writes slowly), not only at the end. With multilineStart, lines
 * are grouped into records (a record starts at a matching line) and sent as text records.
 */
export async function ingestStream(input: NodeJS.ReadableStream, totalBytes: number | undefined, f: IngestFlags): Promise<IngestSummary> {
  const batchBytes = Number(f.batchBytes);
  const flushMs = Number(f.flushMs ?? 200);
  const sum: IngestSummary = { accepted: 0, rejected: 0, skipped: 0, rejected_by_reason: {}, cutLines: 0, cutBytes: 0 };
  const progress = !f.quiet && process.stderr.isTTY;
  let sent = 0;
  let carry: Buffer = Buffer.alloc(0);
  const started = Date.now();
  const post = async (buf: Buffer, contentType: string, rawBytes: number) => {
    const r = await postBatch(f.url, buf, f.service, contentType);
    sum.accepted += r.accepted; sum.rejected += r.rejected; sum.skipped += r.skipped;
    for (const [k, v] of Object.entries(r.rejected_by_reason)) sum.rejected_by_reason[k] = (sum.rejected_by_reason[k] ?? 0) + v;
    sent += rawBytes;
    if (progress) {
      const pct = totalBytes ? ` ${((100 * sent) / totalBytes).toFixed(1)}%` : '';
      const rate = sum.accepted / Math.max(0.001, (Date.now() - started) / 1000);
      process.stderr.write(`\r\x1b[Kingest${pct}  ${(sent / 1048576).toFixed(1)} MiB  ${sum.accepted} accepted  ${sum.rejected} rejected  ${Math.round(rate)} lines/s`);
    }
  };
  if (f.multilineStart !== undefined) {
    try { new RegExp(f.multilineStart); } catch (err) { throw new Error(`--multiline-start is not a valid regular expression: ${(err as Error).message}`); }
  }
  const records = f.multilineStart !== undefined ? new RecordBatcher(f.multilineStart, Number(f.multilineTimeoutMs ?? 1000), batchBytes) : undefined;
  // Lines (ending with \n) go out as they are, or through the record batcher.
  const send = async (lines: Buffer, final = false) => {
    if (!records) { if (lines.length) await post(lines, 'text/plain', lines.length); return; }
    const body = records.add(lines, Date.now(), final);
    if (body) await post(body.buf, TEXT_RECORDS_MEDIA_TYPE, body.rawBytes);
  };
  // A line longer than this is not sent (the server would refuse it anyway) and is skipped as it streams by, so one
  // endless line cannot hold the whole input in memory; the summary counts it.
  const maxLine = Math.max(batchBytes, 1 << 20);
  let skipping = false;
  const it = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let next = it.next();
  for (;;) {
    // Something waits to be sent: after flushMs of quiet it goes (the input may be a pipe that stays open).
    const waiting = carry.includes(0x0a) || (records?.pending ?? false);
    let timer: NodeJS.Timeout | undefined;
    const r = waiting ? await Promise.race([next, new Promise<typeof QUIET>((res) => { timer = setTimeout(() => res(QUIET), flushMs); })]) : await next;
    clearTimeout(timer);
    if (r === QUIET) {
      const nl = carry.lastIndexOf(0x0a);
      const lines = carry.subarray(0, nl + 1);
      carry = carry.subarray(nl + 1);
      await send(lines);
      continue;
    }
    if (r.done) break;
    next = it.next();
    const chunk = r.value;
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
  if (carry.length || records?.pending) await send(carry.length && carry[carry.length - 1] !== 0x0a ? Buffer.concat([carry, NL]) : carry, true);
  if (progress) process.stderr.write('\n');
  return sum;
}

const NL = Buffer.from('\n');

/** Groups lines into multi-line records and frames them as text records (collect/text-records.ts). */
class RecordBatcher {
  private readonly grouper: LineGrouper;
  private done: TailRecord[] = [];
  private doneBytes = 0;
  private rawBytes = 0;

  constructor(startPattern: string, private readonly timeoutMs: number, private readonly batchBytes: number) {
    this.grouper = new LineGrouper({ startPattern, negate: false, maxLines: 10_000, maxBytes: Math.max(batchBytes, 1 << 20), timeoutMs });
  }

  get pending(): boolean { return this.grouper.pendingStart !== undefined || this.done.length > 0; }

  /** Adds complete lines; returns a body when a batch is full, when input was quiet (the caller asks), or at the end. */
  add(lines: Buffer, now: number, final: boolean): { buf: Buffer; rawBytes: number } | undefined {
    let s = 0;
    while (s < lines.length) {
      const nl = lines.indexOf(0x0a, s);
      const e = nl === -1 ? lines.length : nl;
      const line = lines.subarray(s, e > s && lines[e - 1] === 13 ? e - 1 : e);
      const before = this.done.length;
      this.grouper.push(line, 0, 0, now, this.done);
      for (let i = before; i < this.done.length; i++) this.doneBytes += (this.done[i] as TailRecord).bytes.length + 4;
      s = e + 1;
    }
    this.rawBytes += lines.length;
    this.grouper.detach();
    const quiet = lines.length === 0 && now - this.grouper.lastAt >= this.timeoutMs;
    if ((final || quiet) && this.grouper.pendingStart !== undefined) this.done.push(this.grouper.take());
    if (this.done.length === 0 || (!final && lines.length > 0 && this.doneBytes < this.batchBytes)) return undefined;
    const out = { buf: encodeTextRecords(this.done), rawBytes: this.rawBytes };
    this.done = [];
    this.doneBytes = 0;
    this.rawBytes = 0;
    return out;
  }
}

export function registerIngest(program: Command): void {
  program
    .command('ingest <file>')
    .description('send a log file (or - for stdin) to a running server; any mix of formats, one record per line')
    .option('-u, --url <url>', 'server URL (env LOGSIFT_URL)', defaultUrl())
    .option('-s, --service <name>', 'service for lines that name none')
    .option('--batch-bytes <n>', 'bytes per request', String(1 << 20))
    .option('-q, --quiet', 'no progress bar')
    .option('--flush-ms <n>', 'send complete lines after this many ms without new input (a pipe that stays open)', '200')
    .option('--multiline-start <regex>', 'group lines into records: a record starts at a line matching this (e.g. "^\\d{4}-"); the lines after it that do not match belong to it (stack traces)')
    .option('--multiline-timeout-ms <n>', 'with --multiline-start: a record with no new line for this long is complete', '1000')
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

// Syslog collection benchmark: the demo's NDJSON lines as RFC 5424 messages over 4 TCP connections with octet
// counting (as rsyslog's omfwd sends), timed until the server has stored them all; next to the NDJSON HTTP path.
import { connect } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compareWithNdjson } from './collect-common.js';

const CONNECTIONS = 4;
const CHUNK_BYTES = 256 * 1024;
const SEVERITY: Record<string, number> = { TRACE: 7, DEBUG: 7, INFO: 6, WARN: 4, WARNING: 4, ERROR: 3, FATAL: 2 };
const CANONICAL = new Set(['timestamp', 'level', 'service', 'host', 'message']);

const sdValue = (v: unknown) => String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/["\\\]]/g, '\\$&');
const token = (v: unknown, max: number) => (typeof v === 'string' && v.length > 0 ? v.replace(/\s/g, '_').slice(0, max) : '-');

/** One NDJSON demo line as an RFC 5424 message (user facility); the other fields as structured data. */
export function toRfc5424(line: string): string {
  const o = JSON.parse(line) as Record<string, unknown>;
  const pri = 8 + (SEVERITY[String(o.level ?? 'INFO').toUpperCase()] ?? 6);
  const params = Object.entries(o).filter(([k]) => !CANONICAL.has(k)).map(([k, v]) => ` ${k.replace(/[ =\]"]/g, '_')}="${sdValue(v)}"`).join('');
  return `<${pri}>1 ${token(o.timestamp, 64)} ${token(o.host, 255)} ${token(o.service, 48)} - - ${params ? `[logsift@32473${params}]` : '-'} ${String(o.message ?? '')}`;
}

async function syslogSource(url: string): Promise<{ name: string; port: number; received: number }> {
  const r = (await (await fetch(`${url}/api/v1/sources`)).json()) as { sources: { name: string; type: string; received: number; status?: { protocol?: string; port?: number } }[] };
  const s = r.sources.find((x) => x.type === 'syslog' && x.status?.protocol === 'tcp');
  if (!s?.status?.port) throw new Error('the server has no syslog source over TCP: add { type: syslog, protocol: tcp, port: 0 } to its sources');
  return { name: s.name, port: s.status.port, received: s.received };
}

/** Sends `lines` (NDJSON demo lines) as syslog over TCP to the server's syslog source; resolves once all are stored. */
export async function benchSyslog(url: string, lines: string[]): Promise<{ lines: number; seconds: number }> {
  const src = await syslogSource(url);
  // The client's own format work happens before the clock starts: a shipper has its messages in syslog form already.
  const per = Math.ceil(lines.length / CONNECTIONS);
  const streams = Array.from({ length: CONNECTIONS }, (_, c) => {
    const chunks: Buffer[] = [];
    let parts: string[] = [];
    let size = 0;
    for (const line of lines.slice(c * per, (c + 1) * per)) {
      const m = toRfc5424(line);
      const f = `${Buffer.byteLength(m)} ${m}`;
      parts.push(f);
      size += f.length;
      if (size >= CHUNK_BYTES) { chunks.push(Buffer.from(parts.join(''))); parts = []; size = 0; }
    }
    if (parts.length) chunks.push(Buffer.from(parts.join('')));
    return chunks;
  });
  const t0 = performance.now();
  await Promise.all(streams.map((chunks) => new Promise<void>((resolve, reject) => {
    const sock = connect({ port: src.port, host: '127.0.0.1' });
    sock.on('error', reject);
    let i = 0;
    const pump = () => {
      while (i < chunks.length) if (!sock.write(chunks[i++]!)) { sock.once('drain', pump); return; }
      sock.end(() => resolve());
    };
    sock.on('connect', pump);
  })));
  // Syslog has no acknowledgement: the source's counter says when every message is stored (after the fsync).
  for (let waited = 0; ; waited++) {
    const now = await syslogSource(url);
    if (now.received - src.received >= lines.length) break;
    if (waited > 30_000) throw new Error(`only ${now.received - src.received} of ${lines.length} messages arrived`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { lines: lines.length, seconds: (performance.now() - t0) / 1000 };
}

/** The NDJSON path for comparison: 4 concurrent POSTs of ~1 MiB line-aligned batches. */
async function benchNdjson(url: string, lines: string[]): Promise<{ lines: number; seconds: number }> {
  const batches: string[] = [];
  for (let i = 0, size = 0, start = 0; i <= lines.length; i++) {
    if (i === lines.length || size >= 1 << 20) { if (i > start) batches.push(lines.slice(start, i).join('\n')); start = i; size = 0; }
    size += (lines[i]?.length ?? 0) + 1;
  }
  let idx = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    for (let b = batches[idx++]; b !== undefined; b = batches[idx++]) {
      for (;;) {
        const res = await fetch(`${url}/api/v1/logs`, { method: 'POST', body: b, headers: { 'content-type': 'application/x-ndjson' } });
        await res.arrayBuffer();
        if (res.status === 429 || res.status === 503) { await new Promise((r) => setTimeout(r, 100)); continue; }
        if (res.status !== 200) throw new Error(`ingest failed: ${res.status}`);
        break;
      }
    }
  }));
  return { lines: lines.length, seconds: (performance.now() - t0) / 1000 };
}

/** The server config a syslog bench needs: a TCP syslog source on a free port (benchSyslog finds it). */
export const syslogBenchSource = { type: 'syslog', name: 'syslog-bench', protocol: 'tcp', port: 0 };

async function main(): Promise<void> {
  await compareWithNdjson('syslog', benchSyslog, { sources: [syslogBenchSource] });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => { console.error(err); process.exit(1); });
}

// Elasticsearch bulk ingest throughput next to the native NDJSON route: the same generated lines, batched as a
// shipper batches them (2000 documents a request, 3 requests in flight), acknowledged after the fsync.
import { pathToFileURL } from 'node:url';
import { compareWithNdjson } from './collect-common.js';

const DOCS_PER_REQUEST = 2000;
const CONCURRENCY = 3;

/** Sends batches with CONCURRENCY requests in flight, retrying a 429/503 after a pause; `count` says what one acknowledged. */
async function sendAll(bodies: { body: Buffer; n: number }[], send: (b: Buffer) => Promise<Response>, count: (res: unknown, n: number) => number): Promise<number> {
  let next = 0, acked = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      const b = bodies[i];
      if (!b) break;
      for (;;) {
        const res = await send(b.body);
        const body: unknown = await res.json();
        if (res.status === 429 || res.status === 503) { await new Promise((r) => setTimeout(r, 100)); continue; }
        if (res.status !== 200) throw new Error(`request failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
        acked += count(body, b.n);
        break;
      }
    }
  }));
  return acked;
}

function chunks(lines: string[], per: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i += per) out.push(lines.slice(i, i + per));
  return out;
}

/** Sends `lines` (NDJSON documents) as bulk `create` actions to `url` (the server root or its /es prefix). */
export async function benchElasticsearch(url: string, lines: string[]): Promise<{ lines: number; seconds: number }> {
  const action = '{"create":{"_index":"logs-bench-default"}}\n';
  const bodies = chunks(lines, DOCS_PER_REQUEST).map((c) => ({ body: Buffer.from(c.map((l) => `${action}${l}\n`).join('')), n: c.length }));
  const t0 = performance.now();
  const acked = await sendAll(bodies, (body) => fetch(`${url}/_bulk?filter_path=errors,items.*.status`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } }),
    (res) => ((res as { items?: Record<string, { status: number }>[] }).items ?? []).filter((it) => Object.values(it)[0]?.status === 201).length);
  return { lines: acked, seconds: (performance.now() - t0) / 1000 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  compareWithNdjson('elasticsearch', benchElasticsearch).catch((err: unknown) => { console.error(err); process.exit(1); });
}

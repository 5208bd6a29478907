// Loki push benchmark: the demo NDJSON lines as Loki entries (the raw line, as Promtail or Alloy ship a file), streams
// labelled by service and level, ~1 MiB batches as snappy-compressed protobuf, 4 concurrent pushers; run next to the
// NDJSON path. `node dist/bench/collect-loki.js`.
import { pathToFileURL } from 'node:url';
import snappy from 'snappy';
import { protoType } from '../collect/proto-files.js';
import { compareWithNdjson, sendAll } from './collect-common.js';

const BATCH_BYTES = 1 << 20; // Promtail's and Alloy's default batch size

/** One push body: the lines grouped into streams by {service_name, level}, each entry with its line's timestamp. */
export function lokiPush(lines: string[]): Buffer {
  const streams = new Map<string, { labels: string; entries: { timestamp: { seconds: number; nanos: number }; line: string }[] }>();
  for (const line of lines) {
    const o = JSON.parse(line) as { service?: string; level?: string; timestamp?: string };
    const labels = `{service_name=${JSON.stringify(String(o.service))}, level=${JSON.stringify(String(o.level).toLowerCase())}}`;
    let s = streams.get(labels);
    if (!s) { s = { labels, entries: [] }; streams.set(labels, s); }
    const ms = Date.parse(String(o.timestamp));
    s.entries.push({ timestamp: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 }, line });
  }
  const t = protoType('logproto/push.proto', 'logproto.PushRequest');
  return snappy.compressSync(Buffer.from(t.encode(t.create({ streams: [...streams.values()] })).finish()));
}

/** Sends the lines as Loki protobuf pushes; resolves when the server acknowledged them all. */
export async function benchLoki(url: string, lines: string[]): Promise<{ lines: number; seconds: number }> {
  const bodies: Buffer[] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const l of lines) {
    cur.push(l);
    bytes += l.length;
    if (bytes >= BATCH_BYTES) { bodies.push(lokiPush(cur)); cur = []; bytes = 0; }
  }
  if (cur.length) bodies.push(lokiPush(cur));
  const t0 = performance.now();
  await sendAll(`${url}/loki/api/v1/push`, bodies, { 'content-type': 'application/x-protobuf' }, (s) => s === 204);
  return { lines: lines.length, seconds: (performance.now() - t0) / 1000 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  compareWithNdjson('loki', benchLoki).catch((err) => { console.error(err); process.exit(1); });
}

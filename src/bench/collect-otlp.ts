// OTLP/HTTP protobuf ingest benchmark: the demo NDJSON lines as OTLP log records (grouped by resource, 1000 per export
// like a collector's batch), 4 concurrent exporters; run next to the NDJSON path. `node dist/bench/collect-otlp.js`.
import { pathToFileURL } from 'node:url';
import { protoType } from '../collect/proto-files.js';
import { compareWithNdjson, sendAll } from './collect-common.js';

const BATCH = 1000;
const LEVEL_NUMBER: Record<string, number> = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };

type Line = Record<string, unknown>;

function anyValue(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  return { stringValue: JSON.stringify(v) };
}

/** One export request body: the lines grouped by (service, host) resource, each line a LogRecord. */
export function otlpRequest(lines: Line[]): Uint8Array {
  const resources = new Map<string, Line[]>();
  for (const l of lines) {
    const key = `${String(l.service)}\u0000${String(l.host ?? '')}`;
    const list = resources.get(key) ?? [];
    list.push(l);
    resources.set(key, list);
  }
  const resourceLogs = [...resources.values()].map((group) => {
    const first = group[0] ?? {};
    return {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: String(first.service) } }, ...(first.host ? [{ key: 'host.name', value: { stringValue: String(first.host) } }] : [])] },
      scopeLogs: [{
        scope: { name: 'bench' },
        logRecords: group.map((l) => {
          const { timestamp, level, service: _s, host: _h, message, trace_id, span_id, ...rest } = l;
          const ms = Date.parse(String(timestamp));
          return {
            timeUnixNano: `${ms}000000`, // fixed64: protobufjs takes the decimal text
            severityNumber: LEVEL_NUMBER[String(level)] ?? 9,
            body: { stringValue: String(message) },
            attributes: Object.entries(rest).map(([key, v]) => ({ key, value: anyValue(v) })),
            ...(typeof trace_id === 'string' ? { traceId: Buffer.from(trace_id, 'hex') } : {}),
            ...(typeof span_id === 'string' ? { spanId: Buffer.from(span_id, 'hex') } : {}),
          };
        }),
      }],
    };
  });
  const t = protoType('opentelemetry/proto/collector/logs/v1/logs_service.proto', 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
  return t.encode(t.create({ resourceLogs })).finish();
}

/** Sends the lines as OTLP/protobuf export requests; resolves when the server acknowledged them all. */
export async function benchOtlp(url: string, lines: string[]): Promise<{ lines: number; seconds: number }> {
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < lines.length; i += BATCH) bodies.push(otlpRequest(lines.slice(i, i + BATCH).map((l) => JSON.parse(l) as Line)));
  const t0 = performance.now();
  await sendAll(`${url}/v1/logs`, bodies, { 'content-type': 'application/x-protobuf' }, (s) => s === 200);
  return { lines: lines.length, seconds: (performance.now() - t0) / 1000 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  compareWithNdjson('otlp', benchOtlp).catch((err) => { console.error(err); process.exit(1); });
}

// OTLP/HTTP logs end to end: the real OpenTelemetry JS SDK (LoggerProvider + batch processor) exports through the
// JSON and the protobuf exporters (gzip too) to a real logsift on loopback; every record is queried back once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { context, diag, DiagLogLevel, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { protoType } from '../collect/proto-files.js';
import { flush, getJson, post, startServer, tempDir, type RunningServer } from './harness.js';

let server: RunningServer;

before(async () => {
  server = await startServer(join(tempDir('otlp'), 'data'), { wal: { flushIntervalMs: 100 }, normalize: { maxFutureSeconds: 3600 } });
});
after(async () => { await server?.stop(); });

type Row = Record<string, unknown> & { metadata?: unknown };

async function rows(query: string): Promise<Row[]> {
  await flush(server.url);
  const r = await getJson<{ rows: Row[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent(query)}&from=24h&limit=1000`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.rows;
}

function meta(r: Row | undefined): Record<string, unknown> {
  const m = r?.metadata;
  return (typeof m === 'string' ? JSON.parse(m) : m ?? {}) as Record<string, unknown>;
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/** Emits three records through the SDK: a warning with trace context, an error with a structured body, a debug line. */
async function emit(exporter: LogRecordExporter, service: string, batch = true): Promise<number> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'host.name': 'node-7', 'service.namespace': 'shop', 'k8s.pod.name': 'pod-1' }),
    processors: [batch ? new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 50 }) : new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('payments-lib', '1.2.3');
  const secs = Math.floor(Date.now() / 1000) - 60;
  const ctx = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  logger.emit({
    severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: 'payment slow',
    timestamp: [secs, 123456789], context: ctx,
    attributes: { 'enduser.id': 'u42', 'client.address': '10.1.2.3', 'order.id': 7, 'http.response.status_code': 503, retried: true },
  });
  logger.emit({
    severityNumber: SeverityNumber.ERROR2, body: { code: 'E42', detail: { retry: false, tries: [1, 2] } },
    timestamp: [secs, 5], attributes: { message: 'an attribute named message', 'user.id': 'u7' },
  });
  logger.emit({ severityText: 'debug', body: 'cache miss', timestamp: [secs + 1, 0], attributes: { key: 'k1' } });
  await provider.forceFlush();
  await provider.shutdown();
  return secs;
}

async function checkRecords(service: string, secs: number): Promise<void> {
  const got = await rows(`service:${JSON.stringify(service)}`);
  assert.equal(got.length, 3, JSON.stringify(got));
  const iso = new Date(secs * 1000).toISOString().slice(0, 19);
  const warn = got.find((r) => r.message === 'payment slow');
  assert.ok(warn, JSON.stringify(got));
  assert.equal(warn.level, 'WARN');
  assert.equal(warn.host, 'node-7');
  assert.equal(warn.timestamp, `${iso}.123456789Z`);
  assert.equal(warn.trace_id, TRACE_ID);
  assert.equal(warn.span_id, SPAN_ID);
  assert.equal(warn.user_id, 'u42');
  assert.equal(warn.ip_address, '10.1.2.3');
  assert.equal(warn.source, 'otlp');
  assert.deepEqual(meta(warn), {
    'service.namespace': 'shop', 'k8s.pod.name': 'pod-1', 'otel.scope.name': 'payments-lib', 'otel.scope.version': '1.2.3',
    'order.id': 7, 'http.response.status_code': 503, retried: true, 'otel.flags': 1,
  });
  const err = got.find((r) => r.level === 'ERROR');
  assert.ok(err, JSON.stringify(got));
  assert.deepEqual(JSON.parse(String(err.message)), { code: 'E42', detail: { retry: false, tries: [1, 2] } });
  assert.equal(err.timestamp, `${iso}.000000005Z`);
  assert.equal(err.user_id, 'u7');
  assert.equal(err.trace_id ?? null, null);
  const em = meta(err);
  assert.deepEqual(em.body, { code: 'E42', detail: { retry: false, tries: [1, 2] } });
  assert.equal(em['attributes.message'], 'an attribute named message');
  const dbg = got.find((r) => r.message === 'cache miss');
  assert.equal(dbg?.level, 'DEBUG');
  assert.equal(dbg?.timestamp, `${new Date((secs + 1) * 1000).toISOString().slice(0, 19)}Z`);
  assert.equal(meta(dbg).key, 'k1');
}

test('the OpenTelemetry SDK exports OTLP/JSON; every record arrives once with its fields', async () => {
  const secs = await emit(new JsonExporter({ url: `${server.url}/v1/logs` }), 'otlp-json');
  await checkRecords('otlp-json', secs);
});

test('the OpenTelemetry SDK exports OTLP/protobuf, gzip-compressed', async () => {
  const secs = await emit(new ProtoExporter({ url: `${server.url}/v1/logs`, compression: 'gzip' as never }), 'otlp-proto');
  await checkRecords('otlp-proto', secs);
});

test('OTLP/JSON gzip from the SDK, one request per record (simple processor)', async () => {
  const secs = await emit(new JsonExporter({ url: `${server.url}/v1/logs`, compression: 'gzip' as never }), 'otlp-json-gz', false);
  await checkRecords('otlp-json-gz', secs);
});

test('a record too far in the future is dead-lettered and reported as a partial success', async () => {
  const warnings: string[] = [];
  diag.setLogger({
    error: () => {}, info: () => {}, debug: () => {}, verbose: () => {},
    warn: (...args: unknown[]) => { warnings.push(args.map(String).join(' ')); },
  }, DiagLogLevel.WARN);
  try {
    // One export request with both records: the batch processor sends them together on forceFlush.
    const batchProvider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'otlp-partial' }),
      processors: [new BatchLogRecordProcessor({ exporter: new ProtoExporter({ url: `${server.url}/v1/logs` }), scheduledDelayMillis: 10_000 })],
    });
    const bl = batchProvider.getLogger('p');
    bl.emit({ severityNumber: SeverityNumber.INFO, body: 'on time' });
    bl.emit({ severityNumber: SeverityNumber.INFO, body: 'from the future', timestamp: Date.now() + 10 * 86_400_000 });
    await batchProvider.forceFlush();
    await batchProvider.shutdown();
  } finally {
    diag.disable();
  }
  const partial = warnings.find((w) => w.includes('Partial Success'));
  assert.ok(partial, `no partial success warning: ${JSON.stringify(warnings)}`);
  assert.match(partial, /"rejectedLogRecords":1/);
  assert.match(partial, /too_far_in_future/);
  const got = await rows('service:otlp-partial');
  assert.deepEqual(got.map((r) => r.message), ['on time']);
  const dlq = await getJson<{ entries?: { reason: string }[]; rows?: { reason: string }[] }>(`${server.url}/api/v1/dlq?reason=too_far_in_future`);
  assert.equal(dlq.status, 200);
  assert.ok(JSON.stringify(dlq.body).includes('from the future'), JSON.stringify(dlq.body));
});

test('OTLP/JSON by hand: hex ids, string int64, enum names; partialSuccess in JSON; errors per the spec', async () => {
  const now = BigInt(Date.now()) * 1_000_000n;
  const body = {
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otlp-hand' } }] },
      scopeLogs: [{
        scope: { name: 's' },
        logRecords: [
          { timeUnixNano: String(now), severityNumber: 'SEVERITY_NUMBER_FATAL', body: { stringValue: 'boom' }, traceId: 'AABBCCDDEEFF00112233445566778899', spanId: '0102030405060708', attributes: [{ key: 'big', value: { intValue: '9007199254740993' } }] },
          { observedTimeUnixNano: String(now + 5n), severityNumber: 10, body: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } } },
          { timeUnixNano: String(now + 7200n * 1_000_000_000n), body: { stringValue: 'too late' } },
        ],
      }],
    }],
  };
  const r = await post(`${server.url}/v1/logs`, JSON.stringify(body), { 'content-type': 'application/json' });
  assert.equal(r.status, 200);
  const ps = r.body.partialSuccess as { rejectedLogRecords: number; errorMessage: string };
  assert.equal(ps.rejectedLogRecords, 1);
  assert.match(ps.errorMessage, /too_far_in_future \(1\); first: log record 2:/);
  const got = await rows('service:otlp-hand');
  assert.equal(got.length, 2);
  const boom = got.find((x) => x.message === 'boom');
  assert.equal(boom?.level, 'FATAL');
  assert.equal(boom?.trace_id, 'aabbccddeeff00112233445566778899');
  assert.equal(boom?.span_id, '0102030405060708');
  assert.equal(meta(boom).big, '9007199254740993');
  const arr = got.find((x) => x.message === '["a",2]');
  assert.equal(arr?.level, 'INFO');

  // A body that is not OTLP: 400 with a google.rpc.Status in the request's encoding.
  const bad = await fetch(`${server.url}/v1/logs`, { method: 'POST', body: Buffer.from([0x0a, 0xff, 0xff, 0xff]), headers: { 'content-type': 'application/x-protobuf' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('content-type'), 'application/x-protobuf');
  const st = protoType('google/rpc/status.proto', 'google.rpc.Status').decode(new Uint8Array(await bad.arrayBuffer())) as unknown as { code: number; message: string };
  assert.equal(st.code, 3);
  assert.match(st.message, /cannot decode the OTLP logs request/);
  const badJson = await post(`${server.url}/v1/logs`, '{"resourceLogs": [', { 'content-type': 'application/json' });
  assert.equal(badJson.status, 400);
  assert.match(String(badJson.body.message), /cannot parse the OTLP\/JSON body/);
  const unsupported = await post(`${server.url}/v1/logs`, 'hello', { 'content-type': 'text/plain' });
  assert.equal(unsupported.status, 415);
  assert.match(String(unsupported.body.message), /application\/x-protobuf or application\/json/);
});

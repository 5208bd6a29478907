// Loki push end to end: the real winston-loki transport pushes JSON and snappy-compressed protobuf to a real logsift on
// loopback; every record is queried back once with its fields. Malformed pushes get Loki's answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import snappy from 'snappy';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { protoType } from '../collect/proto-files.js';
import { flush, getJson, startServer, tempDir, type RunningServer } from './harness.js';

let server: RunningServer;

before(async () => {
  server = await startServer(join(tempDir('loki'), 'data'), {
    wal: { flushIntervalMs: 100 },
    normalize: { maxFutureSeconds: 3600 },
    sources: [{ type: 'loki' }, { type: 'loki', name: 'loki-team', path: '/team/loki/api/v1/push', labels: { service: ['team'] } }],
  });
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

function nearNow(ts: unknown): void {
  const ms = Date.parse(String(ts));
  assert.ok(Math.abs(ms - Date.now()) < 120_000, `timestamp ${String(ts)} is not about now`);
}

/** A winston logger with the Loki transport; resolves after the transport has pushed everything. */
async function logWith(opts: Omit<ConstructorParameters<typeof LokiTransport>[0], 'host'>, write: (l: winston.Logger) => void): Promise<string[]> {
  const errors: string[] = [];
  const transport = new LokiTransport({ ...opts, host: server.url, interval: 0.2, gracefulShutdown: false, onConnectionError: (e) => errors.push(String(e)) });
  const logger = winston.createLogger({ level: 'debug', transports: [transport] });
  write(logger);
  await new Promise((r) => setTimeout(r, 50));
  await transport.close();
  logger.close();
  return errors;
}

test('winston-loki JSON push: labels give service and level, structured metadata the rest', async () => {
  const errors = await logWith({ json: true, labels: { app: 'loki-json', env: 'test' } }, (l) => {
    l.warn('payment slow', { user_id: 'u1', order: 7 });
    l.error('payment failed', { ip: '10.0.0.9' });
    l.info('plain info');
  });
  assert.deepEqual(errors, []);
  const got = await rows('service:loki-json');
  assert.equal(got.length, 3, JSON.stringify(got));
  const slow = got.find((r) => String(r.message).startsWith('payment slow'));
  assert.ok(slow, JSON.stringify(got));
  assert.equal(slow.level, 'WARN');
  assert.equal(slow.user_id, 'u1');
  assert.equal(slow.source, 'loki');
  nearNow(slow.timestamp);
  assert.deepEqual(meta(slow), { env: 'test', order: '7' });
  const failed = got.find((r) => r.level === 'ERROR');
  assert.equal(failed?.ip_address, '10.0.0.9');
  assert.equal(got.filter((r) => r.level === 'INFO').length, 1);
});

test('winston-loki protobuf (snappy) push with JSON lines: the line keeps its fields, labels fill the rest', async () => {
  const errors = await logWith({ json: false, labels: { service_name: 'loki-proto', host: 'web-3' }, format: winston.format.json() }, (l) => {
    l.warn('disk almost full', { disk: '/var', used_pct: 93, trace_id: 'abc123' });
    l.debug('cache warm', { service: 'from-the-line' });
    l.error('disk full', { host: 'db-1' });
  });
  assert.deepEqual(errors, []);
  const got = await rows('service:loki-proto');
  assert.equal(got.length, 2, JSON.stringify(got));
  const warn = got.find((r) => r.message === 'disk almost full');
  assert.ok(warn, JSON.stringify(got));
  assert.equal(warn.level, 'WARN');
  assert.equal(warn.host, 'web-3');
  assert.equal(warn.trace_id, 'abc123');
  nearNow(warn.timestamp);
  assert.deepEqual(meta(warn), { disk: '/var', used_pct: 93 });
  const full = got.find((r) => r.message === 'disk full');
  assert.equal(full?.level, 'ERROR');
  assert.equal(full?.host, 'db-1');
  assert.equal(meta(full)['loki.host'], 'web-3', 'the label the line overrides is kept');
  const own = await rows('service:from-the-line');
  assert.equal(own.length, 1);
  assert.equal(own[0]?.level, 'DEBUG');
  assert.equal(meta(own[0]).service_name, 'loki-proto');
});

function lokiProto(streams: { labels: string; entries: { timestamp: { seconds: number; nanos: number }; line: string; structuredMetadata?: { name: string; value: string }[] }[] }[]): Buffer {
  const t = protoType('logproto/push.proto', 'logproto.PushRequest');
  return snappy.compressSync(Buffer.from(t.encode(t.create({ streams })).finish()));
}

async function push(path: string, body: Buffer | string, headers: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

test('hand-made pushes: nanosecond timestamps, escaped labels, structured metadata, gzip JSON, a label mapping override', async () => {
  const secs = Math.floor(Date.now() / 1000) - 30;
  const proto = lokiProto([{
    labels: '{service_name="loki-hand", job="varlogs", filename="/var/log/app \\"x\\".log", level="error"}',
    entries: [
      { timestamp: { seconds: secs, nanos: 123456789 }, line: 'level=info msg="logfmt line" user=u5', structuredMetadata: [{ name: 'trace_id', value: 'fedcba' }] },
      { timestamp: { seconds: secs, nanos: 1 }, line: 'no level here' },
    ],
  }]);
  let r = await push('/loki/api/v1/push', proto, { 'content-type': 'application/x-protobuf' });
  assert.equal(r.status, 204, r.text);
  const got = await rows('service:loki-hand');
  assert.equal(got.length, 2);
  const lf = got.find((x) => x.message === 'logfmt line');
  const iso = new Date(secs * 1000).toISOString().slice(0, 19);
  assert.equal(lf?.timestamp, `${iso}.123456789Z`);
  assert.equal(lf?.level, 'ERROR', 'the line says info (the default), the level label says error');
  assert.equal(lf?.user_id, 'u5');
  assert.equal(lf?.trace_id, 'fedcba');
  assert.deepEqual(meta(lf), { job: 'varlogs', filename: '/var/log/app "x".log' });
  const nl = got.find((x) => x.message === 'no level here');
  assert.equal(nl?.timestamp, `${iso}.000000001Z`);
  assert.equal(nl?.level, 'ERROR');

  const ns = `${secs}000000000`;
  const json = JSON.stringify({ streams: [{ stream: { team: 'loki-payments', app: 'api' }, values: [[ns, '{"msg":"from json","level":"warn"}', { pod: 'p-1' }]] }] });
  r = await push('/team/loki/api/v1/push', gzipSync(json), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  assert.equal(r.status, 204, r.text);
  const team = await rows('service:loki-payments');
  assert.equal(team.length, 1);
  assert.equal(team[0]?.level, 'WARN');
  assert.equal(team[0]?.source, 'loki-team');
  assert.deepEqual(meta(team[0]), { app: 'api', pod: 'p-1' });
});

test('bad pushes: 400 with a text message; a rejected entry is dead-lettered while the rest are stored', async () => {
  const bad = lokiProto([{ labels: '{app="x", app="y"}', entries: [{ timestamp: { seconds: 1, nanos: 0 }, line: 'x' }] }]);
  let r = await push('/loki/api/v1/push', bad, { 'content-type': 'application/x-protobuf' });
  assert.equal(r.status, 400);
  assert.match(r.text, /duplicate label name app/);
  r = await push('/loki/api/v1/push', Buffer.from('not snappy at all'), { 'content-type': 'application/x-protobuf' });
  assert.equal(r.status, 400);
  assert.match(r.text, /snappy/);
  r = await push('/loki/api/v1/push', '{"streams": [{"stream": {"app": 1}, "values": []}]}', { 'content-type': 'application/json' });
  assert.equal(r.status, 400);
  assert.match(r.text, /streams\[0\]\.stream\.app must be a string/);
  r = await push('/loki/api/v1/push', 'x', { 'content-type': 'text/csv' });
  assert.equal(r.status, 415);

  const now = `${Date.now()}000000`;
  const future = `${Date.now() + 86_400_000}000000`;
  const json = JSON.stringify({ streams: [{ stream: { app: 'loki-partial' }, values: [[now, 'kept'], [future, 'too far ahead']] }] });
  r = await push('/loki/api/v1/push', json, { 'content-type': 'application/json' });
  assert.equal(r.status, 400);
  assert.match(r.text, /1 entries stored, 1 rejected .*too_far_in_future \(1\); first: entry 1/);
  const got = await rows('service:loki-partial');
  assert.deepEqual(got.map((x) => x.message), ['kept']);
});

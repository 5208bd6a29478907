// The Elasticsearch bulk API on a real server, driven by the official client (@elastic/elasticsearch 9): start-up
// requests, bulk with index/create/update and a bad document, the bulk helper, the /es prefix and gzip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client, errors } from '@elastic/elasticsearch';
import { flush, getJson, post, startServer, tempDir, type RunningServer } from './harness.js';

let server: RunningServer;
const config = {
  wal: { flushIntervalMs: 100 },
  store: { retentionDays: 0 },
  query: { maxLimit: 10_000 },
  sources: [{ type: 'elasticsearch', indexToService: { 'audit-*': 'security' } }],
};

before(async () => { server = await startServer(join(tempDir('es'), 'data'), config); });
after(async () => { await server?.stop(); });

interface Row { timestamp: string; level: string; service: string; message: string; host: string | null; user_id: string | null; ip_address: string | null; trace_id: string | null; span_id: string | null; source: string; metadata: unknown }

async function rows(query: string): Promise<Row[]> {
  await flush(server.url);
  const r = await getJson<{ rows: Row[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent(query)}&limit=10000`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.rows.map((x) => ({ ...x, metadata: typeof x.metadata === 'string' ? JSON.parse(x.metadata) as unknown : x.metadata }));
}

test('the client connects (info, product header) and bulk-indexes ECS documents with per-item errors', async () => {
  const client = new Client({ node: server.url });
  const info = await client.info();
  assert.equal(info.version.number, '8.17.0');
  assert.equal(info.tagline, 'You Know, for Search');
  assert.equal(typeof info.version.lucene_version, 'string');
  assert.equal(await client.ping(), true);

  const res = await client.bulk({
    operations: [
      { index: { _index: 'checkout-2026.01.05', _id: 'doc-1' } },
      { '@timestamp': '2026-01-05T10:00:00.123Z', message: 'payment failed', log: { level: 'error', logger: 'pay' }, trace: { id: 'a'.repeat(32) }, span: { id: 'b'.repeat(16) }, host: { name: 'web-1' }, user: { name: 'ann' }, client: { ip: '10.1.2.3' }, order: 42 },
      { create: { _index: 'logs-cart-default' } },
      { '@timestamp': '2026-01-05T10:00:01Z', message: 'cart saved', 'log.level': 'warn', 'host.hostname': 'web-2', 'source.ip': '10.9.9.9' },
      { create: { _index: 'audit-000003' } },
      { '@timestamp': '2026-01-05T10:00:02Z', message: 'login', service: { name: 'auth' }, 'user.id': 'u7' },
      { index: { _index: 'checkout-2026.01.05' } },
      { '@timestamp': '2026-01-05T10:00:03Z', text_without_message: true },
      { update: { _index: 'checkout-2026.01.05', _id: 'doc-1' } },
      { doc: { message: 'changed' } },
      { create: { _index: 'audit-000003' } },
      { '@timestamp': '2026-01-05T10:00:04Z', message: 'audit entry' },
    ],
  });
  assert.equal(res.errors, true);
  assert.equal(res.items.length, 6);
  const [first, second, third, bad, upd, audit] = res.items;
  assert.deepEqual([first?.index?.status, first?.index?._id, first?.index?.result, first?.index?._index], [201, 'doc-1', 'created', 'checkout-2026.01.05']);
  assert.equal(second?.create?.status, 201);
  assert.match(String(second?.create?._id), /^[A-Za-z0-9_-]{20}$/);
  assert.equal(third?.create?.status, 201);
  assert.equal(bad?.index?.status, 400);
  assert.equal(bad?.index?.error?.type, 'document_parsing_exception');
  assert.match(String(bad?.index?.error?.reason), /dead-lettered \(missing_message\)/);
  assert.equal(upd?.update?.status, 400);
  assert.equal(upd?.update?.error?.type, 'illegal_argument_exception');
  assert.equal(audit?.create?.status, 201);

  const checkout = await rows('service:checkout');
  assert.equal(checkout.length, 1, JSON.stringify(checkout));
  const c = checkout[0];
  assert.ok(c);
  assert.deepEqual([c.timestamp, c.level, c.message, c.host, c.user_id, c.ip_address, c.trace_id, c.span_id, c.source],
    ['2026-01-05T10:00:00.123Z', 'ERROR', 'payment failed', 'web-1', 'ann', '10.1.2.3', 'a'.repeat(32), 'b'.repeat(16), 'elasticsearch']);
  assert.deepEqual(c.metadata, { log: { logger: 'pay' }, order: 42 });
  const cart = await rows('service:cart');
  assert.deepEqual(cart.map((r) => [r.level, r.host, r.ip_address, r.message]), [['WARN', 'web-2', '10.9.9.9', 'cart saved']]);
  assert.deepEqual((await rows('service:auth')).map((r) => [r.message, r.user_id]), [['login', 'u7']], 'the document\'s own service wins');
  assert.deepEqual((await rows('service:security')).map((r) => r.message), ['audit entry'], 'indexToService maps audit-*');
  const dlq = await getJson<{ entries: { reason: string; source: string }[] }>(`${server.url}/api/v1/dlq?source=elasticsearch&limit=10`);
  assert.ok(dlq.body.entries.some((e) => e.reason === 'missing_message'), JSON.stringify(dlq.body));
});

test('the bulk helper sends thousands of documents through /es with gzip; each is stored once', async () => {
  const client = new Client({ node: `${server.url}/es`, compression: true });
  const n = 3000;
  const docs = Array.from({ length: n }, (_, i) => ({
    '@timestamp': new Date(Date.UTC(2026, 0, 6, 0, 0, 0, i)).toISOString(), message: `helper doc ${i}`,
    log: { level: i % 10 === 0 ? 'error' : 'info' }, seq: i, trace: { id: `t${i}` },
  }));
  const result = await client.helpers.bulk({
    datasource: docs,
    onDocument: () => ({ create: { _index: 'logs-helper-default' } }),
    flushBytes: 100_000,
    concurrency: 3,
  });
  assert.deepEqual([result.total, result.successful, result.failed], [n, n, 0]);
  const stored = await rows('service:helper');
  assert.equal(stored.length, n);
  const seqs = new Set(stored.map((r) => (r.metadata as { seq: number }).seq));
  assert.equal(seqs.size, n, 'every document exactly once');
  const r7 = stored.find((r) => (r.metadata as { seq: number }).seq === 7);
  assert.deepEqual([r7?.timestamp, r7?.trace_id, r7?.message, r7?.level], ['2026-01-06T00:00:00.007Z', 't7', 'helper doc 7', 'INFO']);
  assert.equal(stored.filter((r) => r.level === 'ERROR').length, n / 10);
  const st = await getJson<{ sources: { name: string; accepted: number }[] }>(`${server.url}/api/v1/sources`);
  assert.ok((st.body.sources.find((s) => s.name === 'elasticsearch')?.accepted ?? 0) >= n);
});

test('vendored content types, gzip, whole-body errors and the start-up requests of shippers', async () => {
  const nd = '{"index":{}}\n{"message":"vendored","@timestamp":"2026-01-07T00:00:00Z"}\n';
  for (const ct of ['application/vnd.elasticsearch+x-ndjson; compatible-with=8', 'application/vnd.elasticsearch+x-ndjson;compatible-with=9', 'application/json']) {
    const r = await post(`${server.url}/vendored/_bulk`, gzipSync(nd), { 'content-type': ct, 'content-encoding': 'gzip' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.errors, false);
    assert.equal(r.headers.get('x-elastic-product'), 'Elasticsearch');
  }
  assert.equal((await rows('service:vendored')).length, 3);

  let r = await post(`${server.url}/_bulk`, '{"index":{}\n{"message":"x"}\n', { 'content-type': 'application/x-ndjson' });
  assert.equal(r.status, 400);
  assert.equal((r.body.error as { type: string }).type, 'illegal_argument_exception');
  assert.equal(r.body.status, 400);
  r = await post(`${server.url}/_bulk`, '\n', { 'content-type': 'application/x-ndjson' });
  assert.deepEqual([r.status, (r.body.error as { type: string }).type], [400, 'action_request_validation_exception']);
  r = await post(`${server.url}/_bulk`, nd, { 'content-type': 'text/html' });
  assert.equal(r.status, 406);

  // The official client turns a whole-body 400 into a ResponseError with Elasticsearch's error type.
  const client = new Client({ node: server.url });
  await assert.rejects(client.transport.request({ method: 'POST', path: '/_bulk', bulkBody: ['{"index":{}', '{}'] }), (err: unknown) =>
    err instanceof errors.ResponseError && err.statusCode === 400 && (err.body as { error: { type: string } }).error.type === 'illegal_argument_exception');

  // Logstash: HEAD /, GET /, GET /_license (active), index template and rollover alias; Vector: /_cluster/health.
  const root = await fetch(`${server.url}/`, { method: 'HEAD' });
  assert.equal(root.status, 200);
  assert.equal((await getJson<{ license: { status: string } }>(`${server.url}/_license`)).body.license.status, 'active');
  assert.equal((await getJson<{ status: string }>(`${server.url}/es/_cluster/health`)).body.status, 'green');
  assert.equal((await getJson(`${server.url}/_index_template/ecs-logstash`)).status, 404);
  const put = await fetch(`${server.url}/_index_template/ecs-logstash`, { method: 'PUT', body: '{"index_patterns":["ecs-logstash-*"]}', headers: { 'content-type': 'application/json' } });
  assert.deepEqual(await put.json(), { acknowledged: true });
  const got = await getJson<{ index_templates: { name: string; index_template: unknown }[] }>(`${server.url}/_index_template/ecs-logstash`);
  assert.deepEqual(got.body.index_templates, [{ name: 'ecs-logstash', index_template: { index_patterns: ['ecs-logstash-*'] } }]);
  assert.equal((await fetch(`${server.url}/es/_ilm/policy/filebeat`, { method: 'PUT', body: '{"policy":{"phases":{}}}', headers: { 'content-type': 'application/json' } })).status, 200);
  assert.equal((await fetch(`${server.url}/logstash`, { method: 'HEAD' })).status, 200);

  // A browser asking for / goes to the dashboard.
  const html = await fetch(`${server.url}/`, { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
  assert.deepEqual([html.status, html.headers.get('location')], [302, '/ui/']);
  const es = await getJson<{ tagline: string }>(`${server.url}/es`);
  assert.equal(es.body.tagline, 'You Know, for Search');
  // logsift's own routes are unaffected.
  assert.equal((await getJson(`${server.url}/healthz`)).status, 200);
});

test('a body the write path cannot take now is a 429 es_rejected_execution_exception with Retry-After', async () => {
  const small = await startServer(join(tempDir('es-429'), 'data'), { store: { retentionDays: 0 }, server: { maxPendingBytes: 1024 * 1024, retryAfterSeconds: 2 } });
  try {
    const doc = `{"index":{}}\n${JSON.stringify({ message: 'x'.repeat(1000) })}\n`;
    const r = await post(`${small.url}/big/_bulk`, doc.repeat(1200), { 'content-type': 'application/x-ndjson' });
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '2');
    assert.equal((r.body.error as { type: string }).type, 'es_rejected_execution_exception');
    assert.equal(r.body.status, 429);
    const ok = await post(`${small.url}/big/_bulk`, doc, { 'content-type': 'application/x-ndjson' });
    assert.equal(ok.status, 200);
  } finally {
    await small.stop();
  }
});

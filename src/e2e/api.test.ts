// The real server on loopback: every body type, queries, metrics, and every kind of malformed payload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { flush, post, getJson, startServer, tempDir, type RunningServer } from './harness.js';

let server: RunningServer;
const config = {
  wal: { flushIntervalMs: 100 },
  server: { maxBodyBytes: 2 * 1024 * 1024, maxDecompressedBytes: 8 * 1024 * 1024 },
  normalize: { maxLineBytes: 4096, maxDepth: 5, maxDeadLetterBytes: 2048 },
  // The fixtures carry fixed 2026 dates: keep them whatever day the tests run.
  store: { retentionDays: 0 },
};

before(async () => { server = await startServer(join(tempDir('api'), 'data'), config); });
after(async () => { await server?.stop(); });

async function q(query: string, extra = ''): Promise<{ kind: string; columns: string[]; rows: Record<string, unknown>[] }> {
  const r = await getJson<{ kind: string; columns: string[]; rows: Record<string, unknown>[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent(query)}${extra}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function healthy(): Promise<void> {
  const r = await getJson(`${server.url}/healthz`);
  assert.equal(r.status, 200);
}

test('NDJSON, JSON array, JSON object, text and gzip bodies are stored alike', async () => {
  const nd = [
    JSON.stringify({ ts: '2026-01-05T10:00:00.123456Z', lvl: 'warning', svc: 'checkout', msg: 'payment slow', userId: 'u1', client_ip: '10.1.2.3', region: 'eu' }),
    JSON.stringify({ timestamp: 1767607200123, level: 'err', service: 'checkout', message: 'payment failed', trace_id: 'abc' }),
  ].join('\n');
  let r = await post(`${server.url}/api/v1/logs`, nd, { 'content-type': 'application/x-ndjson' });
  assert.equal(r.status, 200);
  assert.equal(r.body.accepted, 2);
  r = await post(`${server.url}/api/v1/logs`, JSON.stringify([{ message: 'array one', service: 'arr', level: 'info' }, { message: 'array two', service: 'arr' }]), { 'content-type': 'application/json' });
  assert.deepEqual([r.status, r.body.accepted], [200, 2]);
  r = await post(`${server.url}/api/v1/logs`, JSON.stringify({ message: 'single object', service: 'obj' }), { 'content-type': 'application/json' });
  assert.deepEqual([r.status, r.body.accepted], [200, 1]);
  r = await post(`${server.url}/api/v1/logs?service=plain`, '2026-01-05 10:00:01,000 ERROR [main] disk full on /var\nlevel=info msg="logfmt line" service=lf\n', { 'content-type': 'text/plain' });
  assert.deepEqual([r.status, r.body.accepted], [200, 2]);
  r = await post(`${server.url}/api/v1/logs`, gzipSync(Buffer.from(JSON.stringify({ message: 'zipped', service: 'gz' }) + '\n')), { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
  assert.deepEqual([r.status, r.body.accepted], [200, 1]);

  await flush(server.url);
  const rows = (await q('service:checkout')).rows;
  assert.equal(rows.length, 2);
  const slow = rows.find((x) => x.message === 'payment slow');
  assert.ok(slow, JSON.stringify(rows));
  assert.equal(slow.level, 'WARN');
  assert.equal(slow.timestamp, '2026-01-05T10:00:00.123456Z');
  assert.equal(slow.user_id, 'u1');
  assert.equal(slow.ip_address, '10.1.2.3');
  assert.equal(slow.source, 'http');
  assert.match(String(slow.id), /^[0-9a-z]{11}$/, 'ids are the LSN in base 36');
  assert.notEqual(rows[0]?.id, rows[1]?.id);
  assert.deepEqual(typeof slow.metadata === 'string' ? JSON.parse(slow.metadata) : slow.metadata, { region: 'eu' });
  assert.equal((await q('service:plain level:error')).rows[0]?.message, 'disk full on /var');
  assert.equal((await q('"logfmt line"')).rows.length, 1);
  assert.equal((await q('zipped')).rows.length, 1);
  const stats = await q('* | stats count() by (service)');
  assert.equal(stats.kind, 'stats');
  assert.ok(stats.rows.length >= 5);
});

test('/metrics, /healthz, /readyz and /api/v1/status answer', async () => {
  const m = await fetch(`${server.url}/metrics`);
  const text = await m.text();
  assert.equal(m.status, 200);
  assert.match(text, /logsift_ingested_records_total\{source="http"\} \d+/);
  assert.match(text, /logsift_http_request_duration_seconds_bucket/);
  assert.match(text, /logsift_wal_bytes/);
  assert.equal((await getJson(`${server.url}/readyz`)).status, 200);
  const s = await getJson<{ applied_lsn: number }>(`${server.url}/api/v1/status`);
  assert.ok(s.body.applied_lsn > 0);
});

test('malformed payloads get a clear error or a dead letter with the right reason, and the server keeps serving', async () => {
  // Truncated JSON: 400, and the body kept verbatim in the dead-letter store.
  let r = await post(`${server.url}/api/v1/logs`, '[{"message": "cut', { 'content-type': 'application/json' });
  assert.equal(r.status, 400);
  assert.match(String((r.body.error as { message: string }).message), /cannot parse JSON body/);
  await healthy();
  // Invalid UTF-8 in one line: that line is dead-lettered, the others stored.
  const bad = Buffer.concat([Buffer.from('{"message":"good one","service":"u8"}\n'), Buffer.from([0x7b, 0x22, 0x6d, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), Buffer.from('{"message":"good two","service":"u8"}\n')]);
  r = await post(`${server.url}/api/v1/logs`, bad, { 'content-type': 'application/x-ndjson' });
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.accepted, r.body.rejected, r.body.rejected_by_reason], [2, 1, { invalid_utf8: 1 }]);
  // Oversized line, deep nesting, broken JSON line, no message.
  const deep = JSON.stringify({ message: 'deep', a: { b: { c: { d: { e: { f: { g: 1 } } } } } } });
  const lines = [JSON.stringify({ message: 'x'.repeat(5000) }), deep, '{"message": "broken', JSON.stringify({ service: 'x', level: 'info' })].join('\n');
  r = await post(`${server.url}/api/v1/logs`, lines, { 'content-type': 'application/x-ndjson' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.rejected_by_reason, { line_too_long: 1, too_deep: 1, unparseable: 1, missing_message: 1 });
  await healthy();
  // Text the store cannot hold (a lone surrogate from a \ud800 escape) and a timestamp past 2262-04-11: dead letters,
  // and the store keeps loading.
  r = await post(`${server.url}/api/v1/logs`, '{"message":"lone \\ud800 here","service":"u16"}\n{"message":"far","service":"u16","timestamp":"2262-12-31T00:00:00Z"}\n{"message":"fine","service":"u16"}\n', { 'content-type': 'application/x-ndjson' });
  assert.deepEqual([r.status, r.body.accepted, r.body.rejected_by_reason], [200, 1, { invalid_utf8: 1, invalid_timestamp: 1 }]);
  await flush(server.url);
  assert.equal((await getJson(`${server.url}/readyz`)).status, 200);
  assert.equal((await q('service:u16')).rows.length, 1);
  r = await post(`${server.url}/api/v1/logs`, '{"message":"from the future","timestamp":"2200-01-01T00:00:00Z"}', { 'content-type': 'application/x-ndjson' });
  assert.deepEqual(r.body.rejected_by_reason, { too_far_in_future: 1 });
  // A JSON body element nested too deep to serialize again: a dead letter, not a 500; the good element is stored.
  r = await post(`${server.url}/api/v1/logs`, `[{"message":"shallow","service":"deep"},{"message":"x","a":${'['.repeat(20000)}${']'.repeat(20000)}}]`, { 'content-type': 'application/json' });
  assert.deepEqual([r.status, r.body.accepted, r.body.rejected_by_reason], [200, 1, { too_deep: 1 }]);
  // Wrong content type: 415, nothing stored.
  r = await post(`${server.url}/api/v1/logs`, '<xml/>', { 'content-type': 'application/xml' });
  assert.equal(r.status, 415);
  assert.match(String((r.body.error as { message: string }).message), /application\/x-ndjson/);
  // Gzip bomb: 8 MiB decompression limit, 64 MiB of zeros inside ~64 KiB.
  // The server answers 413 as soon as the limit is hit and may close the connection while the client still writes
  // (EPIPE, seen under load): a client retries once, as real ones do, and must then read the 413.
  const bomb = () => post(`${server.url}/api/v1/logs`, gzipSync(Buffer.alloc(64 * 1024 * 1024)), { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
  r = await bomb().catch((err: unknown) => {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (code === 'EPIPE' || code === 'ECONNRESET') return bomb();
    throw err;
  });
  assert.equal(r.status, 413);
  assert.match(String((r.body.error as { message: string }).message), /maxDecompressedBytes/);
  // Body over the request limit.
  r = await post(`${server.url}/api/v1/logs`, Buffer.alloc(3 * 1024 * 1024, 0x61), { 'content-type': 'text/plain' });
  assert.equal(r.status, 413);
  // Corrupt gzip.
  r = await post(`${server.url}/api/v1/logs`, Buffer.from('not gzip at all'), { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
  assert.equal(r.status, 400);
  await healthy();

  const dl = await getJson<{ counts: Record<string, number>; entries: { id: string; reason: string; raw_base64: string; raw_text: string | null }[] }>(`${server.url}/api/v1/dlq?limit=100`);
  assert.equal(dl.status, 200);
  for (const reason of ['unparseable', 'invalid_utf8', 'line_too_long', 'too_deep', 'missing_message']) assert.ok((dl.body.counts[reason] ?? 0) >= 1, `dead letters hold ${reason}`);
  const utf = dl.body.entries.find((e) => e.reason === 'invalid_utf8' && e.raw_text === null);
  assert.ok(utf);
  assert.equal(Buffer.from(utf.raw_base64, 'base64').toString('hex'), '7b226dfffe227d', 'raw bytes verbatim');
  assert.equal(utf.raw_text, null);
  // The oversized line was kept cut (2048 of its bytes): replay refuses to store a cut record.
  const long = dl.body.entries.find((e) => e.reason === 'line_too_long') as unknown as { id: string; size: number; original_bytes: number; error: string };
  assert.deepEqual([long.size, long.original_bytes > 5000], [2048, true]);
  assert.match(long.error, /raw input cut from \d+ to 2048 bytes/);
  const rp = await post(`${server.url}/api/v1/dlq/replay`, JSON.stringify({ ids: [long.id] }), { 'content-type': 'application/json' });
  assert.deepEqual([rp.body.replayed, rp.body.failed], [0, 1]);
  const after = await getJson<{ error: string }>(`${server.url}/api/v1/dlq/${long.id}`);
  assert.match(after.body.error, /cannot be replayed/);
  const one = await getJson<{ reason: string }>(`${server.url}/api/v1/dlq/${utf.id}`);
  assert.equal(one.body.reason, 'invalid_utf8');
  assert.equal((await getJson(`${server.url}/api/v1/dlq/nope`)).status, 404);
  const m = await (await fetch(`${server.url}/metrics`)).text();
  assert.ok(m.includes('logsift_rejected_records_total{source="http",reason="invalid_utf8"} 2'), 'invalid_utf8 counted twice');
});

test('a bad query is a 400 naming the position; hostile text is data', async () => {
  const r = await getJson<{ error: { code: string; message: string } }>(`${server.url}/api/v1/query?q=${encodeURIComponent('service:(api')}`);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'query_invalid');
  const hostile = await q(`"'; DROP TABLE logs; --"`);
  assert.equal(hostile.rows.length, 0);
  assert.ok((await q('service:checkout')).rows.length === 2, 'table still there');
  assert.equal((await getJson(`${server.url}/api/v1/query?q=x&limit=0`)).status, 400);
});

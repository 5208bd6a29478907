// The webhook receiver against real HTTP servers on loopback: signature, retryable and final failures, timeouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createWebhookReceiver, type WebhookConfig, type WebhookPayload } from './webhook.js';
import { sampleNotification, startLoopbackServer, HOSTILE_SAMPLE } from './test-support.js';

const SECRET = 'test-secret-0123456789';
const NOW_MS = Date.parse('2024-05-01T10:00:05Z');

function config(url: string, extra: Partial<WebhookConfig> = {}): WebhookConfig {
  return { name: 'hook', type: 'webhook', url, headers: {}, headersFromEnv: {}, timeoutMs: 2000, maxAlerts: 0, ...extra };
}

/** What a receiving service does: recompute the HMAC over "<timestamp>.<body>" and compare in constant time. */
function verify(secret: string, timestamp: string, body: string, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const got = Buffer.from(header ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

test('webhook: a server that checks the HMAC signature accepts the signed payload and rejects a wrong secret', async () => {
  const server = await startLoopbackServer((req) => {
    const ts = String(req.headers['x-logsift-timestamp']);
    return verify(SECRET, ts, req.body, req.headers['x-logsift-signature'] as string | undefined) ? { status: 204 } : { status: 401, body: 'bad signature' };
  });
  try {
    const env = { HOOK_SECRET: SECRET, HOOK_TOKEN: 'Bearer t0k3n' };
    const receiver = createWebhookReceiver(config(`${server.url}/hook`, { secretEnv: 'HOOK_SECRET', headers: { 'X-Team': 'payments' }, headersFromEnv: { authorization: 'HOOK_TOKEN' } }), { env, now: () => NOW_MS });
    const n = sampleNotification();
    assert.deepEqual(await receiver.send(n, new AbortController().signal), { ok: true });

    const req = server.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/hook');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['idempotency-key'], n.idempotencyKey);
    assert.equal(req.headers['x-logsift-timestamp'], String(NOW_MS / 1000));
    assert.equal(req.headers['x-team'], 'payments');
    assert.equal(req.headers.authorization, 'Bearer t0k3n');
    const payload = JSON.parse(req.body) as WebhookPayload;
    assert.deepEqual(Object.keys(payload), ['version', 'idempotencyKey', 'receiver', 'status', 'groupKey', 'groupLabels', 'commonLabels', 'externalURL', 'truncatedAlerts', 'alerts']);
    assert.equal(payload.version, '1');
    assert.equal(payload.groupKey, n.groupKey);
    assert.equal(payload.truncatedAlerts, 0);
    const alert = payload.alerts[0]!;
    assert.deepEqual(Object.keys(alert), ['fingerprint', 'status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'samples', 'windowStart', 'windowEnd']);
    assert.equal(alert.endsAt, null);
    assert.deepEqual(alert.samples, n.alerts[0]!.samples);
    assert.ok(alert.samples.includes(HOSTILE_SAMPLE), 'samples are carried verbatim as JSON strings');

    const wrong = createWebhookReceiver(config(`${server.url}/hook`, { secret: 'not-the-secret' }), { now: () => NOW_MS });
    const result = await wrong.send(n, new AbortController().signal);
    assert.equal(result.ok, false);
    assert.ok(!result.ok && !result.retryable && /HTTP 401: bad signature/.test(result.error), JSON.stringify(result));
  } finally {
    await server.close();
  }
});

test('webhook: without a secret there is no signature header', async () => {
  const server = await startLoopbackServer(() => ({ status: 200 }));
  try {
    const result = await createWebhookReceiver(config(server.url)).send(sampleNotification(), new AbortController().signal);
    assert.deepEqual(result, { ok: true });
    assert.equal(server.requests[0]!.headers['x-logsift-signature'], undefined);
    assert.ok(server.requests[0]!.headers['x-logsift-timestamp']);
  } finally {
    await server.close();
  }
});

test('webhook: a 500 is retryable and the next attempt succeeds once the server recovers', async () => {
  const server = await startLoopbackServer((_req, n) => (n === 0 ? { status: 500, body: 'database\nis down' } : { status: 200 }));
  try {
    const receiver = createWebhookReceiver(config(server.url));
    const n = sampleNotification();
    const first = await receiver.send(n, new AbortController().signal);
    assert.ok(!first.ok && first.retryable, JSON.stringify(first));
    assert.match(first.error, /webhook receiver "hook": HTTP 500: database is down/);
    assert.deepEqual(await receiver.send(n, new AbortController().signal), { ok: true });
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0]!.headers['idempotency-key'], server.requests[1]!.headers['idempotency-key'], 'a retry carries the same idempotency key');
  } finally {
    await server.close();
  }
});

test('webhook: a server that never answers gives a retryable error within timeoutMs', async () => {
  const server = await startLoopbackServer(() => 'hang');
  try {
    const started = performance.now();
    const result = await createWebhookReceiver(config(server.url, { timeoutMs: 300 })).send(sampleNotification(), new AbortController().signal);
    const elapsed = performance.now() - started;
    assert.ok(!result.ok && result.retryable, JSON.stringify(result));
    assert.match(result.error, /no response within timeoutMs=300/);
    assert.ok(elapsed >= 250 && elapsed < 1500, `took ${elapsed} ms`);
  } finally {
    await server.close();
  }
});

test('webhook: the caller aborting ends the request at once, retryable', async () => {
  const server = await startLoopbackServer(() => 'hang');
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const started = performance.now();
    const result = await createWebhookReceiver(config(server.url, { timeoutMs: 5000 })).send(sampleNotification(), ac.signal);
    assert.ok(!result.ok && result.retryable && /aborted by the caller/.test(result.error), JSON.stringify(result));
    assert.ok(performance.now() - started < 1000);
  } finally {
    await server.close();
  }
});

test('webhook: 400 is not retryable; 408 and 429 are; a redirect is not followed', async () => {
  const statuses = [400, 408, 429, 302];
  const server = await startLoopbackServer((_req, n) => ({ status: statuses[n] ?? 200, body: 'no' }));
  try {
    const receiver = createWebhookReceiver(config(server.url));
    const results = [];
    for (let i = 0; i < statuses.length; i++) results.push(await receiver.send(sampleNotification(), new AbortController().signal));
    assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.retryable)), [false, true, true, false]);
    assert.equal(server.requests.length, statuses.length, 'the 302 was not followed');
  } finally {
    await server.close();
  }
});

test('webhook: connection refused is retryable', async () => {
  const server = await startLoopbackServer(() => ({ status: 200 }));
  const url = server.url;
  await server.close();
  const result = await createWebhookReceiver(config(url)).send(sampleNotification(), new AbortController().signal);
  assert.ok(!result.ok && result.retryable && /ECONNREFUSED/.test(result.error), JSON.stringify(result));
});

test('webhook: maxAlerts keeps the first alerts and counts the rest', async () => {
  const server = await startLoopbackServer(() => ({ status: 200 }));
  try {
    const base = sampleNotification();
    const alerts = [0, 1, 2].map((i) => ({ ...base.alerts[0]!, fingerprint: `f${i}` }));
    await createWebhookReceiver(config(server.url, { maxAlerts: 2 })).send({ ...base, alerts }, new AbortController().signal);
    const payload = JSON.parse(server.requests[0]!.body) as WebhookPayload;
    assert.deepEqual(payload.alerts.map((a) => a.fingerprint), ['f0', 'f1']);
    assert.equal(payload.truncatedAlerts, 1);
  } finally {
    await server.close();
  }
});

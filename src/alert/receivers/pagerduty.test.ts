// The PagerDuty receiver against a loopback server standing in for the Events API v2: trigger and resolve payloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createPagerDutyReceiver, pagerDutySeverity, type PagerDutyConfig } from './pagerduty.js';
import { HOSTILE_SAMPLE, resolvedAlert, sampleAlert, sampleNotification, startLoopbackServer } from './test-support.js';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcd';

function config(url: string, extra: Partial<PagerDutyConfig> = {}): PagerDutyConfig {
  return {
    name: 'pd', type: 'pagerduty', routingKeyEnv: 'PD_KEY', url: `${url}/v2/enqueue`, source: 'logsift-prod', defaultSeverity: 'error',
    timeoutMs: 2000, maxAlerts: 10, maxSamples: 10, maxSampleChars: 500, ...extra,
  };
}

interface TriggerEvent {
  routing_key: string; event_action: string; dedup_key: string; client: string; client_url: string; links: { href: string; text: string }[];
  payload: {
    summary: string; source: string; severity: string; timestamp: string; component: string; group: string; class: string;
    custom_details: { firing: number; alerts: { samples: string[] }[] };
  };
}

const accepted = { status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"x"}' };
const env = { PD_KEY: ROUTING_KEY };

test('pagerduty: severity labels map onto critical/error/warning/info', () => {
  assert.deepEqual(['critical', 'page', 'high', 'ERROR', 'medium', 'warn', 'low', 'info', 'bogus', undefined].map(pagerDutySeverity),
    ['critical', 'critical', 'error', 'error', 'warning', 'warning', 'info', 'info', undefined, undefined]);
});

test('pagerduty: a firing group is a trigger event with the documented payload; resolving sends resolve with the same dedup_key', async () => {
  const server = await startLoopbackServer(() => accepted);
  try {
    const receiver = createPagerDutyReceiver(config(server.url), { env });
    const longSummary = `Error rate of checkout is high ${'x'.repeat(2000)}`;
    const firing = sampleNotification({ alerts: [sampleAlert({ annotations: { summary: longSummary, description: 'd' } }), sampleAlert({ fingerprint: 'f2', labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' } })] });
    assert.deepEqual(await receiver.send(firing, new AbortController().signal), { ok: true });

    const req = server.requests[0]!;
    assert.equal(req.path, '/v2/enqueue');
    assert.equal(req.headers['content-type'], 'application/json');
    const event = JSON.parse(req.body) as TriggerEvent;
    const dedupKey = createHash('sha256').update(firing.groupKey).digest('hex');
    assert.equal(event.routing_key, ROUTING_KEY);
    assert.equal(event.event_action, 'trigger');
    assert.equal(event.dedup_key, dedupKey);
    assert.ok(event.dedup_key.length <= 255);
    const p = event.payload;
    assert.deepEqual(Object.keys(p).sort(), ['class', 'component', 'custom_details', 'group', 'severity', 'source', 'summary', 'timestamp']);
    assert.ok(p.summary.length <= 1024, `summary has ${p.summary.length} chars`);
    assert.match(p.summary, /^\[FIRING:2\] HighErrorRate service=checkout: Error rate of checkout is high x+…$/);
    assert.equal(p.source, 'logsift-prod');
    assert.equal(p.severity, 'critical', 'the highest severity among firing alerts');
    assert.equal(p.timestamp, '2024-05-01T10:00:00.000Z');
    assert.equal(p.component, 'checkout');
    assert.equal(p.group, 'alertname=HighErrorRate,service=checkout');
    assert.equal(p.class, 'error_rate');
    assert.equal(p.custom_details.firing, 2);
    assert.deepEqual(p.custom_details.alerts[0]!.samples, ['ERROR payment declined for order 42', HOSTILE_SAMPLE], 'samples travel as JSON data');
    assert.doesNotMatch(p.summary, /<img/);
    assert.deepEqual(event.links, [{ href: firing.alerts[0]!.generatorURL, text: 'Logs in logsift' }]);
    assert.equal(event.client, 'logsift');
    assert.equal(event.client_url, firing.externalURL);

    const resolved = sampleNotification({ alerts: [resolvedAlert()] });
    assert.deepEqual(await receiver.send(resolved, new AbortController().signal), { ok: true });
    assert.deepEqual(JSON.parse(server.requests[1]!.body), { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: dedupKey });
  } finally {
    await server.close();
  }
});

test('pagerduty: no severity label falls back to defaultSeverity', async () => {
  const server = await startLoopbackServer(() => accepted);
  try {
    const receiver = createPagerDutyReceiver(config(server.url, { defaultSeverity: 'warning' }), { env });
    await receiver.send(sampleNotification({ alerts: [sampleAlert({ labels: { alertname: 'A' } })], commonLabels: { alertname: 'A' } }), new AbortController().signal);
    assert.equal((JSON.parse(server.requests[0]!.body) as { payload: { severity: string } }).payload.severity, 'warning');
  } finally {
    await server.close();
  }
});

test('pagerduty: 400 is not retryable, 429 and 500 are (PagerDuty\'s documented retry rules)', async () => {
  const answers = [{ status: 400, body: '{"status":"invalid event"}' }, { status: 429 }, { status: 503 }];
  const server = await startLoopbackServer((_req, n) => answers[n] ?? accepted);
  try {
    const receiver = createPagerDutyReceiver(config(server.url), { env });
    const results = [];
    for (let i = 0; i < answers.length; i++) results.push(await receiver.send(sampleNotification(), new AbortController().signal));
    assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.retryable)), [false, true, true]);
    assert.ok(results.every((r) => r.ok || !r.error.includes(ROUTING_KEY)), 'the routing key is not in error messages');
  } finally {
    await server.close();
  }
});

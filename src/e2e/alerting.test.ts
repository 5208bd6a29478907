// Alerting end to end: a real server finds an error burst, a rule makes it an alert, the route sends it to a real
// webhook receiver on loopback that fails first (retried), signed; silences through the API; a restart in the middle
// of delivery loses nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { binPath, flush, getJson, post, startServer, tempDir } from './harness.js';
import { startLoopbackServer } from '../alert/receivers/test-support.js';

const MIN = 60_000;

/** 62 minutes of checkout traffic, 3 hours ago, with an error burst in minute 60 (its window closes, the anomaly is open). */
function traffic(): string {
  const t0 = Math.floor((Date.now() - 3 * 3_600_000) / MIN) * MIN;
  const lines: string[] = [];
  for (let m = 0; m < 62; m++) {
    const n = m === 60 ? 400 : 100;
    for (let i = 0; i < n; i++) {
      const err = m === 60 && i % 2 === 0;
      lines.push(JSON.stringify({
        timestamp: new Date(t0 + m * MIN + Math.floor((i * MIN) / n)).toISOString(), level: err ? 'error' : 'info', service: 'checkout',
        message: err ? `payment provider timeout after ${4000 + i}ms <img src=x onerror=alert(1)>` : `order ord_${m}_${i} created total=${i}.50 EUR`,
      }));
    }
  }
  return lines.join('\n');
}

const alerting = (url: string) => ({
  alerting: {
    externalURL: 'http://logs.example:8080',
    rules: [{ name: 'checkout-errors', types: ['error_rate_spike'], services: ['checkout'] }],
    receivers: [{ name: 'hook', type: 'webhook', url: `${url}/hook`, secret: 's3cret', timeoutMs: 2000 }],
    route: { receiver: 'hook', group_by: ['alertname', 'service'], group_wait: '0s', group_interval: '1s', repeat_interval: '1h' },
    outbox: { initialBackoffMs: 50, maxBackoffMs: 200 },
  },
});

const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) { if (Date.now() > end) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 50)); }
};

test('an error burst is delivered to a webhook that fails first: retried, signed, with description, samples and a link; silences via the API', { timeout: 120_000 }, async () => {
  const hook = await startLoopbackServer((_req, n) => (n === 0 ? { status: 503 } : { status: 200 }));
  const server = await startServer(join(tempDir('alerting'), 'data'), alerting(hook.url));
  try {
    assert.equal((await post(`${server.url}/api/v1/logs`, traffic(), { 'content-type': 'application/x-ndjson' })).status, 200);
    await flush(server.url);
    await until('a delivered notification', () => hook.requests.length >= 2);
    const [first, second] = hook.requests;
    assert.equal(first?.headers['idempotency-key'], second?.headers['idempotency-key'], 'the retry carries the same idempotency key');
    const body = second?.body ?? '';
    const ts = String(second?.headers['x-logsift-timestamp']);
    assert.equal(second?.headers['x-logsift-signature'], `sha256=${createHmac('sha256', 's3cret').update(`${ts}.${body}`).digest('hex')}`);
    const payload = JSON.parse(body) as { status: string; alerts: { labels: Record<string, string>; annotations: Record<string, string>; samples: string[]; generatorURL: string }[] };
    assert.equal(payload.status, 'firing');
    const alert = payload.alerts[0];
    assert.equal(alert?.labels.alertname, 'checkout-errors');
    assert.equal(alert?.labels.anomaly_type, 'error_rate_spike');
    assert.match(alert?.annotations.description ?? '', /checkout: .*% of its records were errors/);
    assert.ok((alert?.samples.length ?? 0) > 0 && alert?.samples.every((l) => l.includes('payment provider timeout')), JSON.stringify(alert?.samples));
    assert.match(alert?.generatorURL ?? '', /^http:\/\/logs\.example:8080\/#\/search\?q=service%3A%22checkout%22&start=/);

    const deliveries = await getJson<{ deliveries: { state: string; attempts: unknown[] }[] }>(`${server.url}/api/v1/alerts/deliveries`);
    assert.equal(deliveries.body.deliveries[0]?.state, 'delivered');
    assert.equal(deliveries.body.deliveries[0]?.attempts.length, 2);
    const alerts = await getJson<{ alerts: { alert: { labels: Record<string, string> } }[] }>(`${server.url}/api/v1/alerts`);
    assert.ok(alerts.body.alerts.some((a) => a.alert.labels.alertname === 'checkout-errors'));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /logsift_alert_deliveries_total\{receiver="hook",state="delivered"\} 1/);
    assert.match(metrics, /logsift_alert_delivery_attempts_total\{receiver="hook",result="error"\} 1/);

    // Silences: created, listed, expired; a bad one is refused with what is wrong.
    const created = await fetch(`${server.url}/api/v1/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ matchers: ['service="checkout"'], endsAt: new Date(Date.now() + 3_600_000).toISOString(), createdBy: 'ops', comment: 'deploying' }) });
    assert.equal(created.status, 201);
    const { silence } = (await created.json()) as { silence: { id: string; state: string } };
    assert.equal(silence.state, 'active');
    const active = await getJson<{ silences: { id: string }[] }>(`${server.url}/api/v1/silences?state=active`);
    assert.deepEqual(active.body.silences.map((s) => s.id), [silence.id]);
    const expired = await fetch(`${server.url}/api/v1/silences/${silence.id}`, { method: 'DELETE' });
    assert.equal(((await expired.json()) as { silence: { state: string } }).silence.state, 'expired');
    const bad = await fetch(`${server.url}/api/v1/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ matchers: ['service=~"("'], createdBy: 'x', comment: 'y' }) });
    assert.equal(bad.status, 400);

    // The same through the CLI.
    const cli = (...args: string[]) => spawnSync(process.execPath, [binPath, ...args, '--url', server.url], { encoding: 'utf8', timeout: 30_000 });
    const d = cli('alerts', '--deliveries');
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stdout, /hook\s+delivered\s+firing\s+2\s/);
    const al = cli('alerts');
    assert.match(al.stdout, /checkout-errors\s+checkout\s+critical\s+firing\s+active/);
    const add = cli('silences', 'add', 'service="checkout"', 'severity=~"high|critical"', '--for', '2h', '--comment', 'deploy', '--by', 'ops');
    assert.equal(add.status, 0, add.stderr);
    const id = add.stdout.split(' ')[0] as string;
    assert.match(cli('silences', 'list', '--state', 'active').stdout, new RegExp(`${id}\\s+active\\s+service="checkout", severity=~"high\\|critical"`));
    assert.match(cli('silences', 'expire', id).stdout, new RegExp(`${id} expired`));
  } finally {
    await server.stop();
    await hook.close();
  }
});

test('a restart in the middle of delivery loses nothing: the pending notification is sent after the restart, once', { timeout: 120_000 }, async () => {
  const dir = join(tempDir('alerting-restart'), 'data');
  const down = await startLoopbackServer(() => ({ status: 503 }));
  let server = await startServer(dir, alerting(down.url));
  let up: Awaited<ReturnType<typeof startLoopbackServer>> | undefined;
  try {
    assert.equal((await post(`${server.url}/api/v1/logs`, traffic(), { 'content-type': 'application/x-ndjson' })).status, 200);
    await flush(server.url);
    await until('a failed attempt', () => down.requests.length >= 1);
    const key = down.requests[0]?.headers['idempotency-key'];
    await server.kill9();
    await down.close();
    // The receiver comes back on a new port: the config names it, the queued delivery goes to the receiver by name.
    up = await startLoopbackServer(() => ({ status: 200 }));
    server = await startServer(dir, alerting(up.url));
    await until('the delivery after the restart', () => (up?.requests.length ?? 0) >= 1);
    await new Promise((r) => setTimeout(r, 1500));
    const keys = (up.requests).map((r) => r.headers['idempotency-key']);
    assert.equal(keys[0], key, 'the notification queued before the crash is the one delivered');
    assert.equal(new Set(keys).size, keys.length, 'no notification delivered twice');
  } finally {
    await server.stop();
    await up?.close();
  }
});

test('a query rule evaluated on a schedule fires to the webhook with its group labels; a bad rule stops the start naming it', { timeout: 120_000 }, async () => {
  const hook = await startLoopbackServer(() => ({ status: 200 }));
  const dir = tempDir('alerting-query');
  const cfg = (queryRules: unknown[]) => ({
    alerting: {
      queryRules,
      receivers: [{ name: 'hook', type: 'webhook', url: `${hook.url}/hook` }],
      route: { receiver: 'hook', group_by: ['alertname'], group_wait: '0s', group_interval: '1s' },
    },
  });
  const server = await startServer(join(dir, 'data'), cfg([{ name: 'checkout-errors-4h', query: 'service:checkout level:error | stats count() as errors by (service)', condition: '> 100', every: '1s', range: '4h', severity: 'high' }]));
  try {
    assert.equal((await post(`${server.url}/api/v1/logs`, traffic(), { 'content-type': 'application/x-ndjson' })).status, 200);
    await flush(server.url);
    await until('the query rule\'s notification', () => hook.requests.some((r) => r.body.includes('checkout-errors-4h')));
    const body = JSON.parse(hook.requests.find((r) => r.body.includes('checkout-errors-4h'))?.body ?? '{}') as { alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] };
    assert.deepEqual(body.alerts[0]?.labels, { service: 'checkout', alertname: 'checkout-errors-4h', severity: 'high' });
    assert.match(body.alerts[0]?.annotations.description ?? '', /gives 200 for service=checkout, > 100/);
  } finally {
    await server.stop();
    await hook.close();
  }
  await assert.rejects(startServer(join(dir, 'data2'), cfg([{ name: 'bad', query: 'level:error', condition: '> 1' }])), /alerting\.queryRules\[0\] \(bad\)\.query.*needs a number to compare/);
});

test('logsift rules test backtests anomaly and query rules against stored logs and prints what would have fired and when', { timeout: 120_000 }, async () => {
  const dir = tempDir('rules-test');
  const server = await startServer(join(dir, 'data'));
  try {
    assert.equal((await post(`${server.url}/api/v1/logs`, traffic(), { 'content-type': 'application/x-ndjson' })).status, 200);
    await flush(server.url);
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, [
      'alerting:',
      '  rules:',
      '    - { name: checkout-errors, types: [error_rate_spike] }',
      '  queryRules:',
      "    - { name: many-errors, query: 'level:error | stats count() as n by (service)', condition: '> 100', every: 10m, range: 10m }",
    ].join('\n'));
    const r = spawnSync(process.execPath, [binPath, 'rules', 'test', file, '--from', '4h', '--url', server.url, '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const events = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { rule: string; what: string; at: string; labels: string });
    const fired = events.filter((e) => e.what === 'fires');
    assert.ok(fired.some((e) => e.rule === 'checkout-errors' && e.labels.includes('service=checkout')), r.stdout);
    assert.ok(fired.some((e) => e.rule === 'many-errors' && e.labels.includes('service=checkout')), r.stdout);
    assert.match(r.stderr, /rules test: 1 anomaly rules, 1 query rules over .*: \d+ would have fired/);
    writeFileSync(file, "alerting:\n  queryRules:\n    - { name: bad, query: 'level:error', condition: '> 1' }\n");
    const bad = spawnSync(process.execPath, [binPath, 'rules', 'test', file, '--url', server.url], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /alerting\.queryRules\[0\] \(bad\)\.query/);
  } finally {
    await server.stop();
  }
});

test('rules added through the CLI are validated, used at once, kept across a restart and removed; config rules are not removable there', { timeout: 120_000 }, async () => {
  const hook = await startLoopbackServer(() => ({ status: 200 }));
  const dir = tempDir('alerting-api-rules');
  const cfg = { alerting: { rules: [{ name: 'from-config', types: ['service_silence'] }], receivers: [{ name: 'hook', type: 'webhook', url: `${hook.url}/hook` }], route: { receiver: 'hook', group_wait: '0s' } } };
  let server = await startServer(join(dir, 'data'), cfg);
  const cli = (...args: string[]) => spawnSync(process.execPath, [binPath, ...args, '--url', server.url], { encoding: 'utf8', timeout: 30_000 });
  try {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, 'rules:\n  - { name: api-errors, types: [error_rate_spike], minSeverity: high }\n');
    const add = cli('rules', 'add', file);
    assert.equal(add.status, 0, add.stderr);
    writeFileSync(file, 'rules:\n  - { name: bad, types: [nope] }\n');
    const bad = cli('rules', 'add', file);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /unknown anomaly type "nope"/);
    assert.equal((await post(`${server.url}/api/v1/logs`, traffic(), { 'content-type': 'application/x-ndjson' })).status, 200);
    await flush(server.url);
    await until('the API rule\'s notification', () => hook.requests.some((r) => r.body.includes('"alertname":"api-errors"')));

    await server.stop();
    server = await startServer(join(dir, 'data'), cfg);
    const list = cli('rules', 'list', '--json');
    const rules = (JSON.parse(list.stdout) as { rules: { source: string; rule: { name: string } }[] }).rules;
    assert.deepEqual(rules.map((r) => `${r.source}:${r.rule.name}`), ['config:from-config', 'api:api-errors'], 'kept across the restart');
    assert.match(cli('rules', 'remove', 'from-config').stderr, /defined in the config file/);
    assert.equal(cli('rules', 'remove', 'api-errors').status, 0);
    assert.deepEqual((JSON.parse(cli('rules', 'list', '--json').stdout) as { rules: { rule: { name: string } }[] }).rules.map((r) => r.rule.name), ['from-config']);
  } finally {
    await server.stop();
    await hook.close();
  }
});

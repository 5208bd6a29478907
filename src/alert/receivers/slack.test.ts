// The Slack receiver against a loopback server standing in for Slack's incoming webhook: message shape and escaping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSlackReceiver, slackEscape, type SlackConfig } from './slack.js';
import { resolvedAlert, sampleAlert, sampleNotification, startLoopbackServer } from './test-support.js';

interface Block { type: string; text?: { type: string; text: string }; elements?: { type: string; url?: string; text?: unknown }[] }
interface Message { text: string; blocks: Block[] }

function config(extra: Partial<SlackConfig> = {}): SlackConfig {
  return { name: 'chat', type: 'slack', timeoutMs: 2000, maxAlerts: 10, maxSamples: 5, maxSampleChars: 300, ...extra };
}

test('slack: escapes & < > as Slack documents', () => {
  assert.equal(slackEscape('a & <b> <!here> <http://x|y>'), 'a &amp; &lt;b&gt; &lt;!here&gt; &lt;http://x|y&gt;');
});

test('slack: a firing notification posts {text, blocks} with summary, description, window, escaped samples and a button', async () => {
  const server = await startLoopbackServer(() => ({ status: 200, body: 'ok' }));
  try {
    const receiver = createSlackReceiver(config({ urlEnv: 'SLACK_URL' }), { env: { SLACK_URL: `${server.url}/services/T000/B000/XXXX` } });
    const n = sampleNotification({ alerts: [sampleAlert({ annotations: { summary: 'Errors <@U123> & rising', description: 'see <http://evil.example|here>' } })] });
    assert.deepEqual(await receiver.send(n, new AbortController().signal), { ok: true });

    const req = server.requests[0]!;
    assert.equal(req.path, '/services/T000/B000/XXXX');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.doesNotMatch(req.body, /<img|<@U123>|<http:\/\/evil|<!channel>/, 'no raw markup from log content reaches Slack');
    const msg = JSON.parse(req.body) as Message;
    assert.equal(msg.text, '[FIRING:1] HighErrorRate service=checkout');
    const texts = msg.blocks.filter((b) => b.type === 'section').map((b) => b.text!.text);
    assert.equal(texts[0], '*[FIRING:1] HighErrorRate service=checkout*');
    assert.match(texts[1]!, /^\*Errors &lt;@U123&gt; &amp; rising\*\nsee &lt;http:\/\/evil\.example\|here&gt;\n\*Window:\* 2024-05-01T09:50:00\.000Z to 2024-05-01T10:00:00\.000Z$/);
    assert.equal(texts[2], '```\nERROR payment declined for order 42\n&lt;img src=x onerror=alert(1)&gt; &amp; &lt;!channel&gt; ˋˋˋ\n```');
    const actions = msg.blocks.find((b) => b.type === 'actions')!;
    assert.equal(actions.elements![0]!.type, 'button');
    assert.equal(actions.elements![0]!.url, n.alerts[0]!.generatorURL);
  } finally {
    await server.close();
  }
});

test('slack: a resolved notification says resolved', async () => {
  const server = await startLoopbackServer(() => ({ status: 200, body: 'ok' }));
  try {
    const receiver = createSlackReceiver(config({ url: server.url }));
    const result = await receiver.send(sampleNotification({ alerts: [resolvedAlert()] }), new AbortController().signal);
    assert.deepEqual(result, { ok: true });
    const msg = JSON.parse(server.requests[0]!.body) as Message;
    assert.match(msg.text, /^\[RESOLVED\] HighErrorRate/);
    assert.match(msg.blocks[0]!.text!.text, /Resolved: every alert in this group has ended\./);
    assert.match(msg.blocks[1]!.text!.text, /\(resolved at 2024-05-01T10:20:00\.000Z\)/);
  } finally {
    await server.close();
  }
});

test('slack: maxAlerts and maxSamples bound the message; Slack errors are classified', async () => {
  const answers = [{ status: 200, body: 'ok' }, { status: 400, body: 'invalid_payload' }, { status: 429, body: 'rate_limited' }];
  const server = await startLoopbackServer((_req, n) => answers[n] ?? { status: 200 });
  try {
    const receiver = createSlackReceiver(config({ url: server.url, maxAlerts: 2, maxSamples: 1 }));
    const alerts = [1, 2, 3].map((i) => sampleAlert({ fingerprint: `f${i}`, samples: ['old line', `newest line ${i}`] }));
    const n = sampleNotification({ alerts });
    assert.deepEqual(await receiver.send(n, new AbortController().signal), { ok: true });
    const msg = JSON.parse(server.requests[0]!.body) as Message;
    assert.ok(msg.blocks.length <= 50);
    assert.doesNotMatch(server.requests[0]!.body, /old line|newest line 3/);
    assert.match(server.requests[0]!.body, /newest line 2/);
    assert.match(JSON.stringify(msg.blocks.at(-1)), /1 more alert\(s\) not shown/);

    const bad = await receiver.send(n, new AbortController().signal);
    assert.ok(!bad.ok && !bad.retryable && /HTTP 400: invalid_payload/.test(bad.error), JSON.stringify(bad));
    const limited = await receiver.send(n, new AbortController().signal);
    assert.ok(!limited.ok && limited.retryable, JSON.stringify(limited));
    assert.doesNotMatch(bad.error, /127\.0\.0\.1/, 'the webhook URL (a secret) is not in error messages');
  } finally {
    await server.close();
  }
});

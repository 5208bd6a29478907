// Receiver config validation: defaults, unknown keys, secrets from the environment, errors naming the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { ConfigError } from '../../errors.js';
import { createReceiver, receiverConfigSchema, receiverConfigSchemas, receiverTypes, validateReceiverConfig, validateReceiverConfigs } from './registry.js';

function configError(fn: () => unknown, key: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.key, key);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('registry: every type has a factory and a strict schema with defaults', () => {
  assert.deepEqual(Object.keys(receiverTypes).sort(), ['alertmanager', 'email', 'pagerduty', 'slack', 'webhook']);
  assert.deepEqual(Object.keys(receiverConfigSchemas).sort(), Object.keys(receiverTypes).sort());
  const ajv = new Ajv({ useDefaults: true, strict: true, strictTypes: false });
  for (const schema of Object.values(receiverConfigSchemas)) {
    assert.equal(schema.additionalProperties, false);
    ajv.compile(schema);
  }
  ajv.compile(receiverConfigSchema);
});

test('registry: defaults are filled and each validated config builds its receiver', () => {
  const env = { SLACK_URL: 'https://hooks.slack.com/services/T/B/X', PD_KEY: 'k', SMTP_PASSWORD: 'p' };
  const raw = [
    { name: 'hook', type: 'webhook', url: 'https://example.com/hook' },
    { name: 'chat', type: 'slack', urlEnv: 'SLACK_URL' },
    { name: 'pd', type: 'pagerduty', routingKeyEnv: 'PD_KEY' },
    { name: 'mail', type: 'email', host: 'smtp.example.com', user: 'u', passwordEnv: 'SMTP_PASSWORD', from: 'a@example.com', to: ['b@example.com'] },
    { name: 'am', type: 'alertmanager', url: 'http://alertmanager:9093' },
  ];
  const configs = validateReceiverConfigs(raw, env);
  assert.deepEqual(configs[0], { name: 'hook', type: 'webhook', url: 'https://example.com/hook', headers: {}, headersFromEnv: {}, timeoutMs: 10_000, maxAlerts: 0 });
  assert.equal((configs[2] as { url: string }).url, 'https://events.pagerduty.com/v2/enqueue');
  assert.equal((configs[3] as { port: number }).port, 587);
  assert.equal((configs[3] as { requireTLS: boolean }).requireTLS, true);
  assert.deepEqual(configs.map((c) => createReceiver(c, { env }).type), ['webhook', 'slack', 'pagerduty', 'email', 'alertmanager']);
  assert.equal(validateReceiverConfig({ ...raw[3], from: 'logsift alerts <a@example.com>' }, 3, env).type, 'email');
  configError(() => validateReceiverConfig({ ...raw[3], from: 'x <a@example.com>\r\nBcc: e@evil.example' }, 3, env), 'alerting.receivers[3].from');
  assert.deepEqual(raw[0], { name: 'hook', type: 'webhook', url: 'https://example.com/hook' }, 'the raw entry is not modified');
});

test('registry: errors name alerting.receivers[i].<key>', () => {
  configError(() => validateReceiverConfig('x', 0), 'alerting.receivers[0]');
  configError(() => validateReceiverConfig({ name: 'a', type: 'sms' }, 1), 'alerting.receivers[1].type', /webhook, slack, pagerduty, email, alertmanager/);
  configError(() => validateReceiverConfig({ name: 'a', type: 'webhook', url: 'https://x', timeout: 5 }, 2), 'alerting.receivers[2].timeout', /unknown key.*timeoutMs/);
  configError(() => validateReceiverConfig({ name: 'a', type: 'webhook' }, 3), 'alerting.receivers[3].url', /required/);
  configError(() => validateReceiverConfig({ name: 'a', type: 'webhook', url: 'ftp://x' }, 4), 'alerting.receivers[4].url');
  configError(() => validateReceiverConfig({ name: 'a', type: 'email', host: 'h', from: 'a@b.c', to: ['not an address'] }, 5), 'alerting.receivers[5].to[0]');
  configError(() => validateReceiverConfig({ name: 'a', type: 'webhook', url: 'https://x', headers: { 'bad header': 'v' } }, 6), 'alerting.receivers[6].headers.bad header');
  configError(() => validateReceiverConfig({ name: 'a', type: 'webhook', url: 'https://x', headers: { 'X-A': 'v\r\nInjected: 1' } }, 7), 'alerting.receivers[7].headers.X-A');
});

test('registry: secrets from the environment are checked at load', () => {
  configError(() => validateReceiverConfig({ name: 'a', type: 'webhook', url: 'https://x', secretEnv: 'HOOK_SECRET' }, 0, {}), 'alerting.receivers[0].secretEnv', /HOOK_SECRET is not set/);
  configError(() => validateReceiverConfig({ name: 'a', type: 'webhook', url: 'https://x', secret: 's', secretEnv: 'S' }, 0, { S: 'x' }), 'alerting.receivers[0].secret', /not both/);
  configError(() => validateReceiverConfig({ name: 'a', type: 'slack' }, 1, {}), 'alerting.receivers[1].url', /url or urlEnv/);
  configError(() => validateReceiverConfig({ name: 'a', type: 'pagerduty' }, 2, {}), 'alerting.receivers[2].routingKey');
  configError(() => validateReceiverConfig({ name: 'a', type: 'email', host: 'h', user: 'u', from: 'a@b.c', to: ['d@e.f'] }, 3, {}), 'alerting.receivers[3].user', /both user and password/);
  configError(() => validateReceiverConfig({ name: 'a', type: 'email', host: 'h', from: 'a@b.c', to: ['d@e.f'], subject: '{nope}' }, 4, {}), 'alerting.receivers[4].subject', /unknown placeholder/);
  configError(() => validateReceiverConfig({ name: 'a', type: 'email', host: 'h', from: 'a@b.c', to: ['d@e.f'], tlsCaFile: '/nonexistent/ca.pem' }, 5, {}), 'alerting.receivers[5].tlsCaFile');
  configError(() => validateReceiverConfig({ name: 'a', type: 'alertmanager', url: 'http://am', headersFromEnv: { authorization: 'AM_TOKEN' } }, 6, {}), 'alerting.receivers[6].headersFromEnv.authorization');
  configError(() => validateReceiverConfig({ name: 'a', type: 'webhook', url: 'https://x', headers: { 'X-Logsift-Signature': 'forged' } }, 7, {}), 'alerting.receivers[7].headers.x-logsift-signature', /sets this header itself/);
});

test('registry: receiver names must be unique', () => {
  configError(() => validateReceiverConfigs([{ name: 'a', type: 'webhook', url: 'https://x' }, { name: 'a', type: 'alertmanager', url: 'http://y' }], {}), 'alerting.receivers[1].name', /unique/);
});

// The generic webhook receiver: POSTs a stable, versioned JSON payload, signed with HMAC-SHA256 when a secret is set.
import { createHmac } from 'node:crypto';
import type { Alert, Labels, Notification, Receiver } from '../model.js';
import { post } from './http-post.js';
import {
  envNameSchema, headersFromEnvSchema, headersSchema, httpUrlSchema, nameSchema, receiverKeyPath, resolveHeaders, resolveSecret,
  secretSchema, timeoutMsSchema, type ReceiverBase, type ReceiverDeps,
} from './receiver-config.js';

export interface WebhookConfig extends ReceiverBase {
  type: 'webhook';
  url: string;
  /** HMAC key for `x-logsift-signature`; no signature header when neither this nor `secretEnv` is set. */
  secret?: string;
  secretEnv?: string;
  headers: Record<string, string>;
  headersFromEnv: Record<string, string>;
  timeoutMs: number;
  /** At most this many alerts per request (0: all); the rest are counted in `truncatedAlerts`. */
  maxAlerts: number;
}

export const webhookConfigSchema = {
  type: 'object', additionalProperties: false, required: ['name', 'type', 'url'],
  properties: {
    name: nameSchema, type: { const: 'webhook' }, url: httpUrlSchema, secret: secretSchema, secretEnv: envNameSchema,
    headers: headersSchema, headersFromEnv: headersFromEnvSchema, timeoutMs: timeoutMsSchema,
    maxAlerts: { type: 'integer', minimum: 0, maximum: 10_000, default: 0 },
  },
};

/** Version 1 of the webhook body. Fields are only ever added; a change of meaning gets a new version. */
export interface WebhookPayload {
  version: '1';
  idempotencyKey: string;
  receiver: string;
  status: 'firing' | 'resolved';
  groupKey: string;
  groupLabels: Labels;
  commonLabels: Labels;
  externalURL: string;
  /** How many alerts were left out because of `maxAlerts`. */
  truncatedAlerts: number;
  alerts: WebhookAlert[];
}

export interface WebhookAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Record<string, string>;
  startsAt: string;
  /** `null` while firing. */
  endsAt: string | null;
  generatorURL: string;
  samples: string[];
  windowStart: string;
  windowEnd: string;
}

export function buildWebhookPayload(n: Notification, maxAlerts = 0): WebhookPayload {
  const kept = maxAlerts > 0 ? n.alerts.slice(0, maxAlerts) : n.alerts;
  return {
    version: '1', idempotencyKey: n.idempotencyKey, receiver: n.receiver, status: n.status, groupKey: n.groupKey,
    groupLabels: n.groupLabels, commonLabels: n.commonLabels, externalURL: n.externalURL,
    truncatedAlerts: n.alerts.length - kept.length, alerts: kept.map(toWebhookAlert),
  };
}

function toWebhookAlert(a: Alert): WebhookAlert {
  return {
    fingerprint: a.fingerprint, status: a.status, labels: a.labels, annotations: a.annotations, startsAt: a.startsAt,
    endsAt: a.endsAt ?? null, generatorURL: a.generatorURL, samples: a.samples, windowStart: a.windowStart, windowEnd: a.windowEnd,
  };
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: binding the timestamp lets receivers refuse replays. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function createWebhookReceiver(config: WebhookConfig, deps: ReceiverDeps = {}): Receiver {
  const env = deps.env ?? process.env;
  const now = deps.now ?? Date.now;
  const keyPath = receiverKeyPath(config.name, deps);
  const secret = resolveSecret(`${keyPath}.secret`, config.secret, config.secretEnv, env);
  const extraHeaders = resolveHeaders(keyPath, config.headers, config.headersFromEnv, env);
  const label = `webhook receiver "${config.name}"`;
  return {
    name: config.name,
    type: 'webhook',
    async send(n, signal) {
      const body = JSON.stringify(buildWebhookPayload(n, config.maxAlerts));
      const timestamp = String(Math.floor(now() / 1000));
      const headers: Record<string, string> = {
        ...extraHeaders, 'content-type': 'application/json', 'idempotency-key': n.idempotencyKey, 'x-logsift-timestamp': timestamp,
      };
      if (secret !== undefined) headers['x-logsift-signature'] = signWebhook(secret, timestamp, body);
      return post({ receiver: label, url: config.url, body, headers, timeoutMs: config.timeoutMs, signal });
    },
  };
}

// The Alertmanager receiver: forwards the notification's alerts to a Prometheus Alertmanager (POST /api/v2/alerts),
// so its routing, silences and inhibition apply. Resolved alerts carry endsAt; firing ones leave it to Alertmanager.
import type { Alert, Labels, Receiver } from '../model.js';
import { post } from './http-post.js';
import { pickSamples } from './notification-text.js';
import { headersFromEnvSchema, headersSchema, httpUrlSchema, nameSchema, receiverKeyPath, resolveHeaders, timeoutMsSchema, type ReceiverBase, type ReceiverDeps } from './receiver-config.js';

export interface AlertmanagerConfig extends ReceiverBase {
  type: 'alertmanager';
  /** Alertmanager's base URL, e.g. `http://alertmanager:9093` (the receiver appends `/api/v2/alerts`). */
  url: string;
  headers: Record<string, string>;
  headersFromEnv: Record<string, string>;
  timeoutMs: number;
  /** Sample lines put in the `samples` annotation (0: none). */
  maxSamples: number;
  maxSampleChars: number;
}

export const alertmanagerConfigSchema = {
  type: 'object', additionalProperties: false, required: ['name', 'type', 'url'],
  properties: {
    name: nameSchema, type: { const: 'alertmanager' }, url: httpUrlSchema, headers: headersSchema, headersFromEnv: headersFromEnvSchema,
    timeoutMs: timeoutMsSchema,
    maxSamples: { type: 'integer', minimum: 0, maximum: 50, default: 5 },
    maxSampleChars: { type: 'integer', minimum: 20, maximum: 4000, default: 500 },
  },
};

/** One element of Alertmanager's `postableAlerts`. */
export interface PostableAlert {
  labels: Labels;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

/**
 * Alertmanager (0.25, classic validation) rejects the whole request when one label or annotation name is not
 * `[a-zA-Z_][a-zA-Z0-9_]*`, so other names are rewritten (`http.status` -> `http_status`).
 */
export function promName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

function promLabels(labels: Record<string, string>): Labels {
  const out: Labels = {};
  // An empty value means "no such label" to Alertmanager.
  for (const [k, v] of Object.entries(labels)) if (v !== '') out[promName(k)] = v;
  return out;
}

export function toPostableAlert(a: Alert, config: Pick<AlertmanagerConfig, 'maxSamples' | 'maxSampleChars'>, now: () => number): PostableAlert {
  const samples = pickSamples(a, config.maxSamples, config.maxSampleChars);
  const annotations = promLabels({
    window_start: a.windowStart, window_end: a.windowEnd, ...(samples.length > 0 ? { samples: samples.join('\n') } : {}), ...a.annotations,
  });
  const out: PostableAlert = { labels: promLabels(a.labels), annotations, startsAt: a.startsAt };
  if (a.status === 'resolved') {
    const endsAt = a.endsAt ?? new Date(now()).toISOString();
    // Alertmanager refuses an end before the start; a skewed clock must not make a resolve undeliverable.
    out.endsAt = Date.parse(endsAt) < Date.parse(a.startsAt) ? a.startsAt : endsAt;
  }
  if (URL.canParse(a.generatorURL)) out.generatorURL = a.generatorURL;
  return out;
}

export function createAlertmanagerReceiver(config: AlertmanagerConfig, deps: ReceiverDeps = {}): Receiver {
  const now = deps.now ?? Date.now;
  const headers = { ...resolveHeaders(receiverKeyPath(config.name, deps), config.headers, config.headersFromEnv, deps.env ?? process.env), 'content-type': 'application/json' };
  const url = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`;
  const label = `alertmanager receiver "${config.name}"`;
  return {
    name: config.name,
    type: 'alertmanager',
    send(n, signal) {
      const body = JSON.stringify(n.alerts.map((a) => toPostableAlert(a, config, now)));
      return post({ receiver: label, url, body, headers, timeoutMs: config.timeoutMs, signal });
    },
  };
}

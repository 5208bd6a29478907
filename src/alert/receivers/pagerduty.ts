// The PagerDuty receiver: one Events API v2 event per notification (trigger while any alert fires, resolve when the
// group resolves), deduplicated on a hash of the group key so the resolve closes the incident the trigger opened.
import { createHash } from 'node:crypto';
import type { Alert, Notification, Receiver } from '../model.js';
import { ConfigError } from '../../errors.js';
import { post } from './http-post.js';
import { alertSummary, groupTitle, oneLine, pickSamples, truncate, windowText } from './notification-text.js';
import { envNameSchema, httpUrlSchema, nameSchema, receiverKeyPath, resolveSecret, secretSchema, timeoutMsSchema, type ReceiverBase, type ReceiverDeps } from './receiver-config.js';

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyConfig extends ReceiverBase {
  type: 'pagerduty';
  /** The Events API v2 integration key. It is a credential: prefer `routingKeyEnv`. Exactly one is required. */
  routingKey?: string;
  routingKeyEnv?: string;
  url: string;
  /** `payload.source`: the affected system as PagerDuty shows it. */
  source: string;
  /** Used when no firing alert has a `severity` label PagerDuty's four levels can be mapped from. */
  defaultSeverity: PagerDutySeverity;
  timeoutMs: number;
  maxAlerts: number;
  maxSamples: number;
  maxSampleChars: number;
}

const severities = ['critical', 'error', 'warning', 'info'] as const;

export const pagerDutyConfigSchema = {
  type: 'object', additionalProperties: false, required: ['name', 'type'],
  properties: {
    name: nameSchema, type: { const: 'pagerduty' }, routingKey: secretSchema, routingKeyEnv: envNameSchema,
    url: { ...httpUrlSchema, default: 'https://events.pagerduty.com/v2/enqueue' },
    source: { type: 'string', minLength: 1, maxLength: 255, default: 'logsift' },
    defaultSeverity: { enum: [...severities], default: 'error' },
    timeoutMs: timeoutMsSchema,
    maxAlerts: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
    maxSamples: { type: 'integer', minimum: 0, maximum: 50, default: 10 },
    maxSampleChars: { type: 'integer', minimum: 20, maximum: 4000, default: 500 },
  },
};

/** PagerDuty's limit on `payload.summary`. */
const MAX_SUMMARY_CHARS = 1024;

/** Maps a `severity` label onto PagerDuty's levels; unknown values give `undefined`. */
export function pagerDutySeverity(label: string | undefined): PagerDutySeverity | undefined {
  switch (label?.toLowerCase()) {
    case 'critical': case 'crit': case 'fatal': case 'emergency': case 'emerg': case 'alert': case 'page': return 'critical';
    case 'error': case 'err': case 'high': case 'major': return 'error';
    case 'warning': case 'warn': case 'medium': case 'minor': return 'warning';
    case 'info': case 'informational': case 'notice': case 'low': case 'none': return 'info';
    default: return undefined;
  }
}

/** The dedup key: a SHA-256 of the group key (PagerDuty allows 255 characters; group keys can be longer). */
export function pagerDutyDedupKey(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}

export function buildPagerDutyEvent(n: Notification, routingKey: string, config: Omit<PagerDutyConfig, 'routingKey' | 'routingKeyEnv' | 'url' | 'timeoutMs'>): Record<string, unknown> {
  const dedupKey = pagerDutyDedupKey(n.groupKey);
  const firing = n.alerts.filter((a) => a.status === 'firing');
  if (n.status === 'resolved' || firing.length === 0) return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const first = firing[0]!;
  const startsAt = firing.map((a) => a.startsAt).sort()[0] ?? first.startsAt;
  const payload: Record<string, unknown> = {
    summary: truncate(oneLine(`${groupTitle(n)}: ${alertSummary(first)}`, MAX_SUMMARY_CHARS), MAX_SUMMARY_CHARS),
    source: config.source,
    severity: highestSeverity(firing) ?? config.defaultSeverity,
    timestamp: startsAt,
    custom_details: customDetails(n, config),
  };
  const component = n.commonLabels.service;
  if (component) payload.component = component;
  const group = Object.entries(n.groupLabels).map(([k, v]) => `${k}=${v}`).join(',');
  if (group) payload.group = truncate(group, 255);
  const eventClass = n.commonLabels.anomaly_type ?? n.commonLabels.alertname;
  if (eventClass) payload.class = eventClass;
  const links = [...new Set(firing.map((a) => a.generatorURL).filter((u) => /^https?:\/\//.test(u)))].slice(0, 5)
    .map((href) => ({ href, text: 'Logs in logsift' }));
  const event: Record<string, unknown> = { routing_key: routingKey, event_action: 'trigger', dedup_key: dedupKey, payload, links, client: 'logsift' };
  if (/^https?:\/\//.test(n.externalURL)) event.client_url = n.externalURL;
  return event;
}

function highestSeverity(alerts: Alert[]): PagerDutySeverity | undefined {
  const found = alerts.map((a) => pagerDutySeverity(a.labels.severity)).filter((s): s is PagerDutySeverity => s !== undefined);
  return severities.find((s) => found.includes(s));
}

/** Free-form details PagerDuty shows as data (never rendered as markup), bounded by the config. */
function customDetails(n: Notification, config: Pick<PagerDutyConfig, 'maxAlerts' | 'maxSamples' | 'maxSampleChars'>): Record<string, unknown> {
  const firing = n.alerts.filter((a) => a.status === 'firing');
  return {
    firing: firing.length,
    resolved: n.alerts.length - firing.length,
    group_labels: n.groupLabels,
    common_labels: n.commonLabels,
    alerts: firing.slice(0, config.maxAlerts).map((a) => ({
      summary: alertSummary(a), description: a.annotations.description ?? '', labels: a.labels, window: windowText(a),
      starts_at: a.startsAt, samples: pickSamples(a, config.maxSamples, config.maxSampleChars), generator_url: a.generatorURL,
    })),
  };
}

export function createPagerDutyReceiver(config: PagerDutyConfig, deps: ReceiverDeps = {}): Receiver {
  const keyPath = receiverKeyPath(config.name, deps);
  const routingKey = resolveSecret(`${keyPath}.routingKey`, config.routingKey, config.routingKeyEnv, deps.env ?? process.env);
  if (routingKey === undefined) throw new ConfigError(`${keyPath}.routingKey`, 'a PagerDuty receiver needs routingKey or routingKeyEnv (the Events API v2 integration key)');
  const label = `pagerduty receiver "${config.name}"`;
  return {
    name: config.name,
    type: 'pagerduty',
    send(n, signal) {
      const body = JSON.stringify(buildPagerDutyEvent(n, routingKey, config));
      return post({ receiver: label, url: config.url, body, headers: { 'content-type': 'application/json' }, timeoutMs: config.timeoutMs, signal });
    },
  };
}

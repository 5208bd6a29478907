// Plain-text pieces of a notification shared by the human-facing receivers (Slack, email, PagerDuty): the group
// title, an alert's summary and window, and sample lines made safe to print (one line each, bounded).
import type { Alert, Notification } from '../model.js';

/** `[FIRING:2] HighErrorRate service=api` (Alertmanager's convention); `[RESOLVED] ...` when all alerts resolved. */
export function groupTitle(n: Notification): string {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const status = n.status === 'firing' ? `[FIRING:${firing}]` : '[RESOLVED]';
  const alertname = n.commonLabels.alertname ?? n.groupLabels.alertname ?? n.alerts[0]?.labels.alertname ?? 'alert';
  const rest = Object.entries(n.groupLabels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`);
  return oneLine([status, alertname, ...rest].join(' '), 250);
}

/** The alert's one-line summary: its `summary` annotation, else its alertname. */
export function alertSummary(a: Alert): string {
  return oneLine(a.annotations.summary ?? a.labels.alertname ?? 'alert', 500);
}

export function windowText(a: Alert): string {
  return `${a.windowStart} to ${a.windowEnd}`;
}

/** The newest `max` samples (samples are newest last), each cut to `maxChars` and kept on one line. */
export function pickSamples(a: Alert, max: number, maxChars: number): string[] {
  return max <= 0 ? [] : a.samples.slice(-max).map((s) => oneLine(s, maxChars));
}

/** Control characters (line breaks included) become spaces; longer than `max` is cut with an ellipsis. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  return truncate(flat, max);
}

/** Cuts to at most `max` UTF-16 units, ending with "…" when cut, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

// Alerting's data: alerts (what fires), notifications (what a receiver is sent) and the Receiver interface.

/** Labels identify an alert and drive routing, grouping, inhibition and silences (Alertmanager's model). */
export type Labels = Record<string, string>;

/**
 * One alert: a firing (or resolved) condition. `fingerprint` is a stable hash of its labels; the same condition
 * firing again is the same alert. Times are RFC 3339 UTC.
 */
export interface Alert {
  fingerprint: string;
  /** Always has `alertname` (the rule's name); anomaly alerts also `service`, `anomaly_type`, `severity`. */
  labels: Labels;
  /** `summary` (one line), `description` (the anomaly's sentence or the query's result), optional others. */
  annotations: Record<string, string>;
  status: 'firing' | 'resolved';
  startsAt: string;
  /** Set when resolved. */
  endsAt?: string;
  /** Link to the dashboard view of the logs around it. */
  generatorURL: string;
  /** A few sample log lines (message text, never HTML), newest last. */
  samples: string[];
  /** The time window the alert is about. */
  windowStart: string;
  windowEnd: string;
}

/**
 * What one receiver is sent for one group at one moment: the group's alerts (firing and resolved) and its labels.
 * `idempotencyKey` is stable for the same content: a receiver can drop repeats.
 */
export interface Notification {
  idempotencyKey: string;
  receiver: string;
  groupKey: string;
  groupLabels: Labels;
  commonLabels: Labels;
  status: 'firing' | 'resolved';
  alerts: Alert[];
  /** The dashboard's base URL (links are built from it). */
  externalURL: string;
}

/** The outcome of one delivery attempt; `retryable: false` gives up at once (e.g. a 400 from the receiver). */
export type DeliveryResult = { ok: true } | { ok: false; error: string; retryable: boolean };

/**
 * A receiver delivers a notification to one place (a webhook, Slack, email, PagerDuty, an Alertmanager). It must
 * not throw: failures are returned. It must finish within `timeoutMs` (the caller also aborts via `signal`).
 */
export interface Receiver {
  readonly name: string;
  readonly type: string;
  send(n: Notification, signal: AbortSignal): Promise<DeliveryResult>;
}

// The anomaly type; schemas/anomaly_schema.yaml is the source of truth (a test proves they agree).

export const ANOMALY_TYPES = [
  'volume_spike', 'volume_drop', 'error_rate_spike', 'new_template', 'rare_template_burst',
  'service_silence', 'brute_force', 'latency_shift', 'session_anomaly',
] as const;
export type AnomalyType = (typeof ANOMALY_TYPES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ANOMALY_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AnomalyStatus = (typeof ANOMALY_STATUSES)[number];

export interface AnomalyEvidence {
  baseline?: number | Record<string, unknown> | null;
  observed?: number | Record<string, unknown> | null;
  template_ids?: string[];
  sample_record_ids?: string[];
  session_key?: string;
  [key: string]: unknown;
}

export interface Anomaly {
  anomaly_id: string;
  detected_at: string;
  window_start: string;
  window_end: string;
  anomaly_type: AnomalyType;
  severity: Severity;
  service: string;
  description: string;
  score: number;
  confidence: number;
  evidence: AnomalyEvidence;
  status: AnomalyStatus;
}

export const ANOMALY_FIELDS = [
  'anomaly_id', 'detected_at', 'window_start', 'window_end', 'anomaly_type', 'severity', 'service',
  'description', 'score', 'confidence', 'evidence', 'status',
] as const satisfies readonly (keyof Anomaly)[];

type Missing = Exclude<keyof Anomaly, (typeof ANOMALY_FIELDS)[number]>;
const _allFieldsListed: Missing extends never ? true : never = true;
void _allFieldsListed;

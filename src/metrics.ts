// The engine's Prometheus metrics: one registry per engine instance, served at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly ingested: Counter<'source'>;
  readonly rejected: Counter<'source' | 'reason'>;
  readonly ingestBytes: Counter<'source'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly overloaded: Counter<'reason'>;
  readonly sourceDropped: Counter<'source' | 'reason'>;
  readonly authFailures: Counter<'reason'>;
  readonly walBytes: Gauge;
  readonly walPendingBytes: Gauge;
  readonly storeBytes: Gauge;
  readonly partsBytes: Gauge;
  readonly appliedLsn: Gauge;
  readonly segmentsLoaded: Counter;
  readonly loadErrors: Counter;
  readonly walCorrupt: Counter;
  readonly templates: Gauge;
  readonly templateEvictions: Counter;
  readonly anomalies: Counter<'type' | 'severity'>;
  readonly lateRecords: Counter;
  readonly alertAttempts: Counter<'receiver' | 'result'>;
  readonly alertDeliveries: Counter<'receiver' | 'state'>;
  readonly alertAttemptSeconds: Histogram<'receiver'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'logsift_process_' });
  const r = { registers: [registry] };
  return {
    registry,
    ingested: new Counter({ name: 'logsift_ingested_records_total', help: 'Records accepted and durably written, by source.', labelNames: ['source'], ...r }),
    rejected: new Counter({ name: 'logsift_rejected_records_total', help: 'Records sent to the dead-letter store, by source and reason code.', labelNames: ['source', 'reason'], ...r }),
    ingestBytes: new Counter({ name: 'logsift_ingest_bytes_total', help: 'Raw bytes received for ingest, by source (after decompression).', labelNames: ['source'], ...r }),
    httpDuration: new Histogram({
      name: 'logsift_http_request_duration_seconds', help: 'HTTP request latency.', labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], ...r,
    }),
    sourceDropped: new Counter({ name: 'logsift_source_dropped_total', help: 'Input a source dropped before it became a batch (UDP datagrams over the buffer, frames over a limit, connections refused ...), by source and reason.', labelNames: ['source', 'reason'], ...r }),
    authFailures: new Counter({ name: 'logsift_auth_failures_total', help: 'Requests refused for their API key, by reason (missing, invalid, scope).', labelNames: ['reason'], ...r }),
    overloaded: new Counter({ name: 'logsift_overload_rejections_total', help: 'Requests refused with 429/503 to protect memory, by reason.', labelNames: ['reason'], ...r }),
    walBytes: new Gauge({ name: 'logsift_wal_bytes', help: 'Bytes in write-ahead-log segments not yet loaded into the store.', ...r }),
    walPendingBytes: new Gauge({ name: 'logsift_wal_pending_bytes', help: 'Bytes waiting for the next group commit.', ...r }),
    storeBytes: new Gauge({ name: 'logsift_store_bytes', help: 'Bytes of the DuckDB database file.', ...r }),
    partsBytes: new Gauge({ name: 'logsift_parts_bytes', help: 'Bytes of sealed Parquet partitions.', ...r }),
    appliedLsn: new Gauge({ name: 'logsift_store_applied_lsn', help: 'Highest write-ahead-log sequence number committed in the store.', ...r }),
    segmentsLoaded: new Counter({ name: 'logsift_wal_segments_loaded_total', help: 'WAL segments loaded into the store.', ...r }),
    loadErrors: new Counter({ name: 'logsift_wal_load_errors_total', help: 'Failed attempts to load a WAL segment into the store (retried).', ...r }),
    walCorrupt: new Counter({ name: 'logsift_wal_corrupt_lines_total', help: 'WAL lines the store could not read, moved to the dead-letter store as wal_corrupt.', ...r }),
    templates: new Gauge({ name: 'logsift_templates', help: 'Message templates the miner holds, over all services.', ...r }),
    anomalies: new Counter({ name: 'logsift_anomalies_total', help: 'Anomalies opened by the detectors, by type and severity.', labelNames: ['type', 'severity'], ...r }),
    lateRecords: new Counter({ name: 'logsift_detect_late_records_total', help: 'Records that arrived after their detection window closed (detect.allowedLatenessMs): stored, but not seen by detectors.', ...r }),
    alertAttempts: new Counter({ name: 'logsift_alert_delivery_attempts_total', help: 'Attempts to deliver a notification, by receiver and result (ok or error).', labelNames: ['receiver', 'result'], ...r }),
    alertDeliveries: new Counter({ name: 'logsift_alert_deliveries_total', help: 'Notifications that ended, by receiver and state (delivered, or failed: given up).', labelNames: ['receiver', 'state'], ...r }),
    alertAttemptSeconds: new Histogram({ name: 'logsift_alert_delivery_attempt_seconds', help: 'Time of one delivery attempt, by receiver.', labelNames: ['receiver'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], ...r }),
    templateEvictions: new Counter({ name: 'logsift_template_evictions_total', help: 'Templates evicted because a service reached patterns.maxTemplatesPerService or the miner reached patterns.maxServices.', ...r }),
  };
}

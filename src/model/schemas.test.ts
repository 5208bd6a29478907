import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSchema, schemaValidators } from './schemas.js';
import { LEVELS, LOG_RECORD_FIELDS, LOG_RECORD_REQUIRED } from './log-record.js';
import { ANOMALY_FIELDS, ANOMALY_STATUSES, ANOMALY_TYPES, SEVERITIES } from './anomaly.js';

test('log schema and the LogRecord type name the same fields, required set and levels', () => {
  const s = loadSchema('log_schema');
  assert.deepEqual(Object.keys(s.properties).sort(), [...LOG_RECORD_FIELDS].sort());
  assert.deepEqual([...s.required].sort(), [...LOG_RECORD_REQUIRED].sort());
  assert.deepEqual(s.properties.level?.enum, [...LEVELS]);
  for (const [name, p] of Object.entries(s.properties)) assert.ok(p.description, `field ${name} has a description`);
});

test('anomaly schema and the Anomaly type agree', () => {
  const s = loadSchema('anomaly_schema');
  assert.deepEqual(Object.keys(s.properties).sort(), [...ANOMALY_FIELDS].sort());
  assert.deepEqual([...s.required].sort(), [...ANOMALY_FIELDS].sort());
  assert.deepEqual(s.properties.anomaly_type?.enum, [...ANOMALY_TYPES]);
  assert.deepEqual(s.properties.severity?.enum, [...SEVERITIES]);
  assert.deepEqual(s.properties.status?.enum, [...ANOMALY_STATUSES]);
  for (const [name, p] of Object.entries(s.properties)) assert.ok(p.description, `field ${name} has a description`);
});

test('log validator accepts a full record and rejects bad ones', () => {
  const { log } = schemaValidators();
  const good = {
    id: 'r1', timestamp: '2024-01-01T00:00:00.123456789Z', level: 'INFO', service: 'api', message: 'hi',
    ip_address: '2001:db8::1', metadata: { a: 1 }, received_at: '2024-01-01T00:00:01Z', source: 'http',
  };
  assert.equal(log.check(good), null);
  assert.ok(log.check({ ...good, level: 'LOUD' }));
  assert.ok(log.check({ ...good, ip_address: '999.1.1.1' }));
  assert.ok(log.check({ ...good, timestamp: '2024-01-01 00:00:00' }));
  assert.ok(log.check({ ...good, extra: 1 }));
  const { message: _m, ...noMessage } = good;
  assert.ok(log.check(noMessage));
  assert.throws(() => log.assert({ ...good, service: '' }), /log record does not match/);
});

test('anomaly validator enforces enums and confidence range', () => {
  const { anomaly } = schemaValidators();
  const a = {
    anomaly_id: 'a1', detected_at: '2024-01-01T00:05:00Z', window_start: '2024-01-01T00:00:00Z', window_end: '2024-01-01T00:05:00Z',
    anomaly_type: 'error_rate_spike', severity: 'high', service: 'api',
    description: 'api error rate rose from 1% to 20% since 00:00 UTC; check the latest deploy.', score: 7.5, confidence: 0.9,
    evidence: { baseline: 0.01, observed: 0.2, sample_record_ids: ['r1'] }, status: 'open',
  };
  assert.equal(anomaly.check(a), null);
  assert.ok(anomaly.check({ ...a, confidence: 1.5 }));
  assert.ok(anomaly.check({ ...a, anomaly_type: 'weird' }));
});

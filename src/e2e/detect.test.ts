// Detection end to end: a real server on loopback finds a volume spike, an error-rate spike and a new template in
// ingested traffic, stores them and serves them at /api/v1/anomalies, valid against the anomaly schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { schemaValidators } from '../model/schemas.js';
import { flush, getJson, post, startServer, tempDir } from './harness.js';

const MIN = 60_000;

test('a spike with errors and a new kind of message becomes schema-valid anomalies at /api/v1/anomalies', { timeout: 120_000 }, async () => {
  const server = await startServer(join(tempDir('detect'), 'data'));
  try {
    const t0 = Math.floor((Date.now() - 3 * 3_600_000) / MIN) * MIN;
    const lines: string[] = [];
    const line = (m: number, i: number, n: number, level: string, message: string) => lines.push(JSON.stringify({
      timestamp: new Date(t0 + m * MIN + Math.floor((i * MIN) / n)).toISOString(), level, service: 'checkout', message,
    }));
    for (let m = 0; m < 70; m++) {
      const spike = m === 60;
      const n = spike ? 1500 : 100 + (m % 7);
      for (let i = 0; i < n; i++) {
        if (spike && i % 3 === 0) line(m, i, n, 'error', `payment provider timeout after ${5000 + i}ms for order ord_${i}`);
        else if (spike && i % 50 === 1) line(m, i, n, 'error', `circuit breaker opened for upstream billing:${8000 + (i % 3)}`);
        else line(m, i, n, 'info', `order ord_${m}_${i} created for user=u${i % 40} total=${(i * 3.7).toFixed(2)} EUR`);
      }
    }
    const r = await post(`${server.url}/api/v1/logs`, lines.join('\n'), { 'content-type': 'application/x-ndjson' });
    assert.equal(r.status, 200);
    await flush(server.url);
    const got = await getJson<{ anomalies: Record<string, unknown>[] }>(`${server.url}/api/v1/anomalies?service=checkout`);
    assert.equal(got.status, 200);
    const types = new Set(got.body.anomalies.map((a) => a.anomaly_type));
    for (const t of ['volume_spike', 'error_rate_spike', 'new_template']) assert.ok(types.has(t), `${t} among ${[...types].join(', ')}`);
    const { anomaly } = schemaValidators();
    for (const a of got.body.anomalies) {
      assert.equal(anomaly.check(a), null, JSON.stringify(a));
      assert.equal(Date.parse(String(a.window_start)), t0 + 60 * MIN, 'every anomaly is about the spike minute');
    }
    const spike = got.body.anomalies.find((a) => a.anomaly_type === 'volume_spike') as { evidence: { sample_record_ids: string[] } };
    // Sample record ids point at stored records.
    const id = spike.evidence.sample_record_ids[0] as string;
    const rec = await getJson<{ rows: { id: string }[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent(`id:${id}`)}`);
    assert.equal(rec.body.rows[0]?.id, id);
    // Filters and their errors.
    const onlyNew = await getJson<{ anomalies: { anomaly_type: string }[] }>(`${server.url}/api/v1/anomalies?type=new_template`);
    assert.ok(onlyNew.body.anomalies.length >= 1 && onlyNew.body.anomalies.every((a) => a.anomaly_type === 'new_template'));
    const bad = await getJson<{ error: { message: string } }>(`${server.url}/api/v1/anomalies?type=nope`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /"type" must be one of volume_spike/);
    // Quiet minutes raised nothing before the spike.
    assert.ok(got.body.anomalies.every((a) => Date.parse(String(a.window_start)) >= t0 + 60 * MIN));
  } finally {
    await server.stop();
  }
});

test('sessions keyed by trace_id through the server: a request that breaks the learned pattern is a session anomaly', { timeout: 120_000 }, async () => {
  const server = await startServer(join(tempDir('detect-sessions'), 'data'), {
    detect: { sessions: { keyField: 'trace_id', endPattern: '^request done', warmupSessions: 50, minSupport: 20 } },
  });
  try {
    const t0 = Date.now() - 3_600_000;
    const lines: string[] = [];
    const rec = (ms: number, trace: string, level: string, message: string) => lines.push(JSON.stringify({ timestamp: new Date(ms).toISOString(), level, service: 'api', trace_id: trace, message }));
    for (let i = 0; i < 200; i++) {
      const trace = `tr-${1000 + i}`, at = t0 + i * 1000;
      rec(at, trace, 'info', `request started GET /items/${i}`);
      rec(at + 10, trace, 'info', `cache lookup for item ${i} took ${i % 9} ms`);
      if (i === 150) rec(at + 20, trace, 'error', `database deadlock detected on table items, transaction ${i} rolled back`);
      rec(at + 30, trace, 'info', `request done in ${30 + (i % 7)} ms`);
    }
    const r = await post(`${server.url}/api/v1/logs`, lines.join('\n'), { 'content-type': 'application/x-ndjson' });
    assert.equal(r.status, 200);
    await flush(server.url);
    const got = await getJson<{ anomalies: { anomaly_type: string; severity: string; description: string; evidence: { session_key: string; sample_record_ids: string[] } }[] }>(`${server.url}/api/v1/anomalies?type=session_anomaly`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.anomalies.map((a) => a.evidence.session_key), ['tr-1150']);
    const a = got.body.anomalies[0];
    assert.equal(a?.severity, 'high');
    assert.match(a?.description ?? '', /Session tr-1150 of api .*database deadlock detected/);
    const sample = await getJson<{ rows: { message: string }[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent(`id:${a?.evidence.sample_record_ids[0] ?? ''}`)}`);
    assert.match(sample.body.rows[0]?.message ?? '', /database deadlock/);
  } finally {
    await server.stop();
  }
});

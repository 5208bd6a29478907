// `logsift detect` as users run it: the real binary over real files; every output line a schema-valid anomaly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaValidators } from '../model/schemas.js';
import { binPath, flush, getJson, post, startServer, tempDir } from './harness.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/** Access-log-free JSON traffic of one service; `spikeAt` minutes get 15x the volume, a third of it errors. */
function traffic(from: number, to: number, spikeAt: number[] = []): string[] {
  const out: string[] = [];
  for (let m = from; m < to; m++) {
    const spike = spikeAt.includes(m);
    const n = spike ? 1500 : 100 + (m % 7);
    for (let i = 0; i < n; i++) {
      const err = spike && i % 3 === 0;
      out.push(JSON.stringify({
        ts: new Date(T0 + m * MIN + Math.floor((i * MIN) / n)).toISOString(), level: err ? 'error' : 'info', service: 'checkout',
        msg: err ? `payment provider timeout after ${4000 + i}ms` : `order ord_${m}_${i} created total=${i}.50 EUR`,
      }));
    }
  }
  return out;
}

const run = (args: string[]) => spawnSync(process.execPath, [binPath, 'detect', ...args], { encoding: 'utf8', timeout: 120_000 });

test('detect finds the spike in a file; with --baseline it needs no warm-up; evidence.lines point at the input', () => {
  const dir = tempDir('detect-cli');
  const input = join(dir, 'app.log');
  const lines = traffic(0, 70, [60]);
  writeFileSync(input, `${lines.join('\n')}\n`);
  const output = join(dir, 'anomalies.ndjson');
  const r = run(['--input', input, '--output', output]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`detect: ${lines.length} lines, 0 not normalizable, 0 late; \\d+ anomalies`));
  const got = readFileSync(output, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown> & { evidence: { lines: number[] } });
  const { anomaly } = schemaValidators();
  for (const a of got) assert.equal(anomaly.check(a), null, JSON.stringify(a));
  const types = got.map((a) => a.anomaly_type);
  for (const t of ['volume_spike', 'error_rate_spike', 'new_template']) assert.ok(types.includes(t), `${t} in ${types.join(', ')}`);
  const spike = got.find((a) => a.anomaly_type === 'error_rate_spike');
  const first = spike?.evidence.lines[0] as number;
  assert.match(lines[first - 1] as string, /payment provider timeout/);

  // Learning from a baseline first, a file holding only the last minutes still finds the spike.
  const baseline = join(dir, 'baseline.log');
  writeFileSync(baseline, `${traffic(0, 55).join('\n')}\n`);
  const short = join(dir, 'short.log');
  writeFileSync(short, `${traffic(55, 63, [60]).join('\n')}\n`);
  const r2 = run(['--input', short, '--baseline', baseline, '--output', '-']);
  assert.equal(r2.status, 0, r2.stderr);
  const types2 = r2.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { anomaly_type: string }).anomaly_type);
  assert.ok(types2.includes('volume_spike') && types2.includes('error_rate_spike'), types2.join(', '));
  // Without it, those few minutes are inside the volume detector's warm-up (15 windows).
  const r3 = run(['--input', short, '--output', '-']);
  assert.ok(!r3.stdout.includes('"volume_spike"'), r3.stdout);

  const bad = run(['--input', short, '--output', '-', '--session-key', 'blk_(\\d+']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--session-key.*not a valid regular expression/);
});

test('detect --from replays a stored time range through the server: same detectors, sample ids are stored record ids', { timeout: 120_000 }, async () => {
  const server = await startServer(join(tempDir('detect-stored'), 'data'));
  try {
    const t0 = Math.floor((Date.now() - 3 * 3_600_000) / MIN) * MIN;
    const shifted = traffic(0, 70, [60]).map((l) => {
      const o = JSON.parse(l) as { ts: string };
      return JSON.stringify({ ...o, ts: new Date(Date.parse(o.ts) - T0 + t0).toISOString() });
    });
    const r = await post(`${server.url}/api/v1/logs`, shifted.join('\n'), { 'content-type': 'application/x-ndjson' });
    assert.equal(r.status, 200);
    await flush(server.url);
    // A small page size is not settable from the CLI; the default pages (5,000) already split these 8,000 records.
    const out = spawnSync(process.execPath, [binPath, 'detect', '--from', '4h', '--to', new Date(t0 + 70 * MIN).toISOString(), '--query', 'service:checkout', '--url', server.url, '--output', '-'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stderr, new RegExp(`detect: ${shifted.length} stored records, 0 late; \\d+ anomalies`));
    const got = out.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { anomaly_type: string; window_start: string; evidence: { sample_record_ids: string[] } });
    const spike = got.find((a) => a.anomaly_type === 'volume_spike');
    assert.ok(spike, got.map((a) => a.anomaly_type).join(', '));
    assert.equal(Date.parse(spike.window_start), t0 + 60 * MIN);
    const id = spike.evidence.sample_record_ids[0] as string;
    const rec = await getJson<{ rows: { id: string; message: string }[] }>(`${server.url}/api/v1/query?q=${encodeURIComponent(`id:${id}`)}`);
    assert.equal(rec.body.rows[0]?.id, id);
    const both = spawnSync(process.execPath, [binPath, 'detect', '--from', '1h', '--input', 'x', '--output', '-'], { encoding: 'utf8' });
    assert.equal(both.status, 2);
    assert.match(both.stderr, /either --input <file> or --from <time>/);
  } finally {
    await server.stop();
  }
});

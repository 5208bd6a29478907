// The session detector through the runtime: sessions by key, ended by inactivity, end pattern or the end of a replay,
// scored against the sessions learned as normal; its state survives snapshot/restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaValidators } from '../model/schemas.js';
import type { Anomaly } from '../model/anomaly.js';
import { DetectionRuntime } from './runtime.js';
import { createSessionDetector } from './session.js';
import { sessionKeyExtractor } from './session-key.js';
import { hdfsSessionsPresent, readLabelledSessions, readNormalSessions, renderSessions, sessionScores } from './hdfs-sessions.js';
import { replayFiles } from './replay.js';
import { resolveConfig } from '../config.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TEXT: Record<string, string> = { open: 'open file <*>', read: 'read <*> bytes from <*>', close: 'close file <*>', crash: 'disk error on <*>' };
const ctx = { templateText: (id: string) => TEXT[id] };
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);

const make = (opts = {}) => new DetectionRuntime([createSessionDetector({ warmupSessions: 50, minSupport: 20, ...opts })], ctx, schemaValidators().anomaly, { sessionTimeoutMs: 30_000 });

/** Session i: open, 1-3 reads, close, 1 s apart; sessions start 2 s apart; `broken` ones lose their close or gain a crash. */
function feed(rt: DetectionRuntime, from: number, to: number, broken: (i: number) => 'ok' | 'no-close' | 'crash' = () => 'ok'): Anomaly[] {
  const out: Anomaly[] = [];
  for (let i = from; i < to; i++) {
    const kind = broken(i);
    const steps = ['open', ...Array.from({ length: 1 + (i % 3) }, () => 'read'), ...(kind === 'crash' ? ['crash'] : []), ...(kind === 'no-close' ? [] : ['close'])];
    steps.forEach((t, j) => rt.observe({ tsMs: T0 + i * 2000 + j * 1000, service: 'fs', level: t === 'crash' ? 'ERROR' : 'INFO', templateId: t, id: `s${i}-${j}`, sessionKey: `f${i}` }));
    out.push(...rt.advance());
  }
  return out;
}

test('sessions that break what normal sessions hold (every open has a close; no unknown template) are reported, normal ones are not', () => {
  const rt = make();
  const broken = (i: number) => (i === 300 ? 'no-close' : i === 320 ? 'crash' : 'ok');
  const got = [...feed(rt, 0, 400, broken), ...rt.finish()].filter((a) => a.status === 'open');
  assert.deepEqual(got.map((a) => a.evidence.session_key).sort(), ['f300', 'f320']);
  const noClose = got.find((a) => a.evidence.session_key === 'f300') as Anomaly;
  assert.equal(noClose.anomaly_type, 'session_anomaly');
  assert.match(noClose.description, /Session f300 of fs .* "close file <\*>" \(template close\) appeared 0 times/);
  assert.deepEqual(noClose.evidence.sample_record_ids, ['s300-0']);
  const crash = got.find((a) => a.evidence.session_key === 'f320') as Anomaly;
  assert.equal(crash.severity, 'high');
  assert.match(crash.description, /"disk error on <\*>" \(template crash\) 1 time, which no normal session did/);
  assert.equal(rt.stats.sessionsEnded, 400);
});

test('during the warm-up nothing is reported; a session ends at its end pattern without waiting for the timeout', () => {
  const rt = make({ warmupSessions: 1000 });
  assert.deepEqual(feed(rt, 0, 100, (i) => (i % 10 === 0 ? 'crash' : 'ok')), []);
  const keyOf = sessionKeyExtractor({ keyRegex: 'file (\\S+)', keyField: null, endPattern: '^close ' });
  assert.deepEqual(keyOf?.({ message: 'close file /a/b' }), { key: '/a/b', end: true });
  assert.deepEqual(keyOf?.({ message: 'open file /a/b' }), { key: '/a/b', end: false });
  assert.deepEqual(keyOf?.({ message: 'no key here' }), { key: '', end: false });
  const rt2 = new DetectionRuntime([createSessionDetector({ warmupSessions: 0 })], ctx, schemaValidators().anomaly, { sessionTimeoutMs: 3_600_000 });
  rt2.observe({ tsMs: T0, service: 'fs', level: 'INFO', templateId: 'open', sessionKey: 'x' });
  rt2.observe({ tsMs: T0 + 1000, service: 'fs', level: 'INFO', templateId: 'close', sessionKey: 'x', sessionEnd: true });
  rt2.advance();
  assert.equal(rt2.openSessions, 0);
  assert.equal(rt2.stats.sessionsEnded, 1);
});

test('a bad session key config is refused naming the key', () => {
  assert.throws(() => sessionKeyExtractor({ keyRegex: '(', keyField: null, endPattern: null }), /detect.sessions.keyRegex/);
  assert.throws(() => sessionKeyExtractor({ keyRegex: 'a*', keyField: null, endPattern: null }), /can match empty text/);
  assert.throws(() => sessionKeyExtractor({ keyRegex: 'a', keyField: 'trace_id', endPattern: null }), /either keyRegex or keyField/);
  assert.throws(() => sessionKeyExtractor({ keyRegex: null, keyField: 'nope', endPattern: null }), /not a record field/);
  const byField = sessionKeyExtractor({ keyRegex: null, keyField: 'metadata.request.id', endPattern: null });
  assert.deepEqual(byField?.({ message: 'm', metadata: { request: { id: 'r-1' } } } as { message: string }), { key: 'r-1', end: false });
});

test('open sessions past detect.sessions.maxOpen are dropped and counted; the state survives snapshot and restore', () => {
  const rt = new DetectionRuntime([createSessionDetector({ warmupSessions: 50, minSupport: 20 })], ctx, schemaValidators().anomaly, { sessionTimeoutMs: 30_000, maxOpenSessions: 5 });
  for (let i = 0; i < 8; i++) rt.observe({ tsMs: T0 + i, service: 'fs', level: 'INFO', templateId: 'open', sessionKey: `k${i}` });
  assert.equal(rt.openSessions, 5);
  assert.equal(rt.stats.sessionsDropped, 3);

  const a = make();
  feed(a, 0, 200);
  const b = make();
  b.restore(JSON.parse(JSON.stringify(a.snapshot())));
  const broken = (i: number) => (i === 250 ? 'no-close' : 'ok');
  const fromA = [...feed(a, 200, 300, broken), ...a.finish()];
  const fromB = [...feed(b, 200, 300, broken), ...b.finish()];
  assert.deepEqual(fromB, fromA);
  assert.deepEqual(fromA.map((x) => x.evidence.session_key), ['f250']);
});

test('labelled HDFS sessions rendered as HDFS logs: learned from normal sessions, anomalous ones found (F1 > 0.95 on a sample)', { skip: hdfsSessionsPresent() ? false : 'SKIPPED: ../shared/data/labelled/hdfs-sessions is absent; the HDFS session evaluation cannot run' }, async () => {
  const normal = readNormalSessions().slice(0, 1500);
  const labelled = readLabelledSessions();
  const sample = [...labelled.slice(0, 750), ...labelled.slice(-750)];
  const dir = mkdtempSync(join(tmpdir(), 'logsift-sessions-'));
  try {
    const start = Date.UTC(2008, 10, 9, 20, 0, 0);
    const base = renderSessions(normal, { startMs: start, sessionEveryMs: 100, maxGapMs: 2000, seed: 1 });
    const t = renderSessions(sample, { startMs: start + 400_000, sessionEveryMs: 100, maxGapMs: 2000, seed: 2 });
    writeFileSync(join(dir, 'base.log'), base.lines.join('\n'));
    writeFileSync(join(dir, 'test.log'), t.lines.join('\n'));
    const cfg = resolveConfig({ detect: { detectors: ['session'], sessions: { keyRegex: 'blk_-?\\d+', timeoutMs: 60_000 } } });
    const r = await replayFiles(cfg, join(dir, 'test.log'), join(dir, 'base.log'));
    const flagged = new Set(r.anomalies.map((a) => String(a.evidence.session)));
    const s = sessionScores(sample, t.blocks, flagged);
    assert.ok(s.f1 > 0.95, JSON.stringify(s));
    const one = r.anomalies[0] as Anomaly & { evidence: { lines: number[]; session: string } };
    assert.ok(t.lines[(one.evidence.lines[0] as number) - 1]?.includes(one.evidence.session), 'evidence.lines point at the session\'s records');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

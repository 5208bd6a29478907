// The outbox with real files and receivers that fail, hang and recover: order, retries, isolation, restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from './outbox.js';
import type { DeliveryResult, Notification, Receiver } from './model.js';

const note = (receiver: string, key: string): Notification => ({
  idempotencyKey: key, receiver, groupKey: `g-${key}`, groupLabels: {}, commonLabels: {}, status: 'firing', alerts: [], externalURL: 'http://127.0.0.1:1',
});

const sink = { attempt: () => undefined, ended: () => undefined };
const fast = { initialBackoffMs: 10, maxBackoffMs: 40, attemptTimeoutMs: 300 };

/** A receiver whose answers are scripted; it records what it got. */
function scripted(name: string, answers: (DeliveryResult | 'hang')[]): Receiver & { got: string[] } {
  const got: string[] = [];
  let i = 0;
  return {
    name, type: 'test', got,
    send: async (n, signal) => {
      got.push(n.idempotencyKey);
      const a = answers[Math.min(i++, answers.length - 1)] ?? { ok: true };
      if (a === 'hang') return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, error: String(signal.reason), retryable: true })));
      return a;
    },
  };
}

const until = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) { if (Date.now() > end) throw new Error('timed out waiting'); await new Promise((r) => setTimeout(r, 5)); }
};

test('retries with backoff until the receiver recovers; a receiver that is down delays only itself; order is kept per receiver', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsift-outbox-'));
  try {
    const box = await Outbox.open(dir, fast, sink);
    const flaky = scripted('flaky', [{ ok: false, error: '500', retryable: true }, 'hang', { ok: true }]);
    const good = scripted('good', [{ ok: true }]);
    box.register(flaky); box.register(good);
    await box.enqueue([note('flaky', 'a'), note('flaky', 'b'), note('good', 'c')]);
    await until(() => box.list({ receiver: 'good', state: 'delivered' }).length === 1);
    assert.ok(box.list({ receiver: 'flaky', state: 'delivered' }).length < 2, 'the good receiver is not held up by the flaky one');
    await until(() => box.list({ receiver: 'flaky', state: 'delivered' }).length === 2);
    assert.deepEqual(flaky.got, ['a', 'a', 'a', 'b'], 'a is retried (error, then a timeout) before b is tried');
    const a = box.list({ receiver: 'flaky' }).find((d) => d.idempotencyKey === 'a');
    assert.equal(a?.attempts.length, 3);
    assert.match(a?.attempts[1]?.error ?? '', /no answer within 300 ms/);
    // The same notification queued again while pending is not queued twice; once delivered, it is a new delivery.
    await box.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a restart resumes pending deliveries from the log at once; a torn last line is ignored; given-up deliveries stay failed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsift-outbox-'));
  try {
    // A long backoff: exactly one attempt of the pending delivery happens before the crash, however slow the machine.
    const first = await Outbox.open(dir, { ...fast, initialBackoffMs: 60_000, maxBackoffMs: 60_000 }, sink);
    const down = scripted('down', [{ ok: false, error: 'refused', retryable: true }]);
    const bad = scripted('bad', [{ ok: false, error: '400 bad payload', retryable: false }]);
    first.register(down); first.register(bad);
    await first.enqueue([note('down', 'k1'), note('bad', 'k2')]);
    await until(() => first.list({ receiver: 'bad', state: 'failed' }).length === 1);
    await until(() => (first.list({ receiver: 'down' })[0]?.attempts.length ?? 0) >= 1);
    await first.close();
    appendFileSync(join(dir, 'outbox.jsonl'), '{"op":"queue","d":{"id":"d-9'); // a crash in the middle of an append

    const second = await Outbox.open(dir, fast, sink);
    const up = scripted('down', [{ ok: true }]);
    const bad2 = scripted('bad', [{ ok: true }]);
    second.register(up); second.register(bad2);
    second.kick();
    await until(() => second.list({ receiver: 'down', state: 'delivered' }).length === 1);
    assert.deepEqual(up.got, ['k1'], 'the pending delivery is sent after the restart');
    assert.deepEqual(bad2.got, [], 'a delivery given up before the restart is not sent again');
    assert.equal(second.list({ receiver: 'bad' })[0]?.state, 'failed');
    await second.close();
    const log = readFileSync(join(dir, 'outbox.jsonl'), 'utf8');
    assert.ok(!log.includes('"d-9'), 'the torn line was dropped when the log was compacted');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same notification pending twice is queued once; past maxPending the oldest pending is given up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsift-outbox-'));
  try {
    const box = await Outbox.open(dir, { ...fast, initialBackoffMs: 60_000, maxPending: 2 }, sink);
    box.register(scripted('down', [{ ok: false, error: 'refused', retryable: true }]));
    assert.equal((await box.enqueue([note('down', 'x')])).length, 1);
    assert.equal((await box.enqueue([note('down', 'x')])).length, 0);
    await box.enqueue([note('down', 'y'), note('down', 'z')]);
    assert.equal(box.pendingCount(), 2);
    assert.equal(box.stats.given_up_full, 1);
    await box.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

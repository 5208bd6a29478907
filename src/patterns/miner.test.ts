// The miner: grouping, determinism, restore, bounded memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateMiner, templateText, type MinerSnapshot } from './miner.js';

test('messages of one event share a template whose variables are <*>', () => {
  const m = new TemplateMiner();
  const a = m.add('sshd', 'Failed password for invalid user admin from 10.0.0.1 port 4242 ssh2');
  const b = m.add('sshd', 'Failed password for invalid user oracle from 10.0.0.9 port 5151 ssh2');
  const c = m.add('sshd', 'Accepted password for root from 10.0.0.2 port 22 ssh2');
  assert.equal(a.id, b.id);
  assert.notEqual(a.id, c.id);
  assert.equal(templateText(a), 'Failed password for invalid user <*> from <*> port <*> ssh2');
  assert.match(a.id, /^[0-9a-f]{16}$/);
});

test('the leading words tell events apart (no over-merging of a one-word difference at the start)', () => {
  const m = new TemplateMiner();
  const a = m.add('s', 'Failed password for root from 1.2.3.4 port 22 ssh2');
  const b = m.add('s', 'Failed none for root from 1.2.3.4 port 22 ssh2');
  assert.notEqual(a.id, b.id);
});

test('services have separate templates', () => {
  const m = new TemplateMiner();
  assert.notEqual(m.add('a', 'disk full on /dev/sda1').id, m.add('b', 'disk full on /dev/sda1').id);
});

test('a kept token with a digit (user1) is still generalized when it varies', () => {
  const m = new TemplateMiner();
  for (let i = 1; i <= 5; i++) m.add('s', `session closed for user${i} after 30s`);
  const t = m.add('s', 'session closed for user9 after 31s');
  assert.equal(templateText(t), 'session closed for <*> after <*>');
});

test('the same input gives the same ids and templates (deterministic), and first/last seen follow timestamps', () => {
  const lines = Array.from({ length: 500 }, (_, i) => `job ${i % 7 === 0 ? 'failed' : 'done'} id=${i} in ${i * 3}ms on node-${i % 5}`);
  const run = () => { const m = new TemplateMiner(); return lines.map((l, i) => m.add('svc', l, `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`).id); };
  assert.deepEqual(run(), run());
  const m = new TemplateMiner();
  m.add('svc', 'x happened 1', '2026-01-01T00:00:05Z');
  const t = m.add('svc', 'x happened 2', '2026-01-01T00:00:01Z');
  assert.equal(t.firstSeen, '2026-01-01T00:00:01Z');
  assert.equal(t.lastSeen, '2026-01-01T00:00:05Z');
  assert.deepEqual(t.examples, ['x happened 1', 'x happened 2']);
});

test('a restored miner continues exactly as the original would', () => {
  const msgs = Array.from({ length: 400 }, (_, i) => `${['open', 'close', 'read', 'write'][i % 4]} file f${i}.txt by user u${i % 13} took ${i}ms`);
  const whole = new TemplateMiner();
  const idsWhole = msgs.map((x) => whole.add('fs', x).id);
  const first = new TemplateMiner();
  const idsA = msgs.slice(0, 200).map((x) => first.add('fs', x).id);
  const restored = TemplateMiner.restore(JSON.parse(JSON.stringify(first.snapshot())));
  const idsB = msgs.slice(200).map((x) => restored.add('fs', x).id);
  assert.deepEqual([...idsA, ...idsB], idsWhole);
  assert.deepEqual(restored.all().map(templateText), whole.all().map(templateText));
});

test('memory stays bounded: an endless stream of new messages keeps the template cap and counts evictions', () => {
  const m = new TemplateMiner({ maxTemplatesPerService: 100, cacheEntries: 1000 });
  const words = (i: number) => Array.from({ length: 6 }, (_, k) => String.fromCharCode(97 + ((i * 7 + k * 13) % 26)) + String.fromCharCode(97 + ((i >> (k % 5)) % 26)));
  for (let i = 0; i < 20_000; i++) {
    m.add('noisy', `${words(i).join(' ')} event`);
    assert.ok(m.stats.templates <= 101, `templates ${m.stats.templates} over the cap at message ${i}`);
  }
  assert.ok(m.stats.evicted > 0);
  assert.ok(m.all().length <= 101);
});

test('the service cap drops the least recently seen service', () => {
  const m = new TemplateMiner({ maxServices: 3 });
  for (const s of ['a', 'b', 'c']) m.add(s, 'hello world');
  m.add('a', 'hello world');
  m.add('d', 'hello world');
  assert.equal(m.stats.services, 3);
  assert.equal(m.stats.servicesDropped, 1);
  assert.deepEqual([...new Set(m.all().map((t) => t.service))].sort(), ['a', 'c', 'd']);
});

test('two differing words in a row are another event (a phrase), one differing word may be a variable', () => {
  const m = new TemplateMiner();
  const a = m.add('ciod', 'Error reading message prefix on socket to 10.0.0.1:5000, Connection reset by peer');
  const b = m.add('ciod', 'Error reading message prefix on socket to 10.0.0.2:5001, Link has been severed');
  assert.notEqual(a.id, b.id);
  const c = m.add('ciod', 'Error reading message prefix on socket to 10.0.0.3:5002, Connection reset by peer');
  assert.equal(c.id, a.id);
  const u1 = m.add('auth', 'session opened for user alice by sshd');
  const u2 = m.add('auth', 'session opened for user bob by sshd');
  assert.equal(u1.id, u2.id);
  assert.equal(templateText(u2), 'session opened for user <*> by sshd');
});

test('ids the rules do not recognize (letters and a digit) weigh less than words when matching', () => {
  const m = new TemplateMiner();
  const a = m.add('checkout', 'payment declined for order ord_0bbjujj: expired_card');
  const b = m.add('checkout', 'payment declined for order ord_1ehelmu: insufficient_funds');
  assert.equal(a.id, b.id);
  assert.equal(templateText(b), 'payment declined for order <*>: <*>');
});

/** A seeded stream of messages mixing words, numbers, hex, times, addresses, ids, versions and quoted strings. */
function fuzzStream(n: number, seed: number): { service: string; message: string; ts: string }[] {
  let x = seed;
  const rnd = (k: number) => { x = (x * 1103515245 + 12345) & 0x7fffffff; return x % k; };
  const words = ['open', 'close', 'user', 'ssh2', 'port', 'from', 'to', 'at', 'failed', 'ok', 'disk', 'v1', 'E12'];
  const hex = () => Array.from({ length: 4 + rnd(12) }, () => '0123456789abcdef'[rnd(16)]).join('');
  const pieces = [
    () => words[rnd(words.length)] as string, () => String(rnd(100_000)), hex, () => `${rnd(200)}:${rnd(60)}:${rnd(60)}`,
    () => `${rnd(256)}.${rnd(256)}.${rnd(256)}.${rnd(256)}:${rnd(65536)}`, () => `ord_${rnd(9)}${hex()}`, () => `v${rnd(3)}.${rnd(10)}`,
    () => `"${words[rnd(words.length)]} ${rnd(9)}"`, () => `${rnd(99)},${rnd(999)}`, () => `0x${hex()}`, () => `u${rnd(20)}`,
    () => `${1 + rnd(3000)}.${rnd(300)}.${rnd(300)}.${rnd(300)}`, () => `20${rnd(300)}-${rnd(13)}-${rnd(40)}T${rnd(25)}:${rnd(61)}:${rnd(61)}Z`,
    () => `${['ab', 'xy', 'q'][rnd(3)]}${rnd(2000)}`, () => `${rnd(500)}${['ms', 'msx', 'GB', 's', ''][rnd(5)]}`, () => `id-${rnd(9)}${hex()}${rnd(99)}`,
    () => `${rnd(3) === 0 ? '0' : ''}${rnd(10)}x${rnd(99)}`, () => `${rnd(2000)}:${rnd(70)}`,
  ];
  const shapes = Array.from({ length: 40 }, () => Array.from({ length: 3 + rnd(6) }, () => (rnd(3) === 0 ? rnd(pieces.length) : -1 - rnd(words.length))));
  return Array.from({ length: n }, (_, i) => {
    const shape = shapes[rnd(shapes.length)] as number[];
    const message = shape.map((p) => (p < 0 ? words[-1 - p] as string : (pieces[p] as () => string)())).join(' ');
    return { service: rnd(10) < 8 ? `svc${rnd(3)}` : `svc${3 + rnd(5)}`, message, ts: `2026-01-01T00:${String(Math.floor(i / 600) % 60).padStart(2, '0')}:${String(Math.floor(i / 10) % 60).padStart(2, '0')}${i % 3 === 0 ? '' : `.${rnd(1000)}`}Z` };
  });
}

test('property: a restore at any point, cache included, continues exactly as an uninterrupted miner', () => {
  const opts = { maxTemplatesPerService: 4, maxServices: 6, maxTemplates: 20, cacheEntries: 8 };
  for (const seed of [1, 2, 3]) {
    const stream = fuzzStream(6000, seed);
    const whole = new TemplateMiner(opts);
    let restored = new TemplateMiner(opts);
    stream.forEach((x, i) => {
      const a = whole.add(x.service, x.message, x.ts);
      if (i % 997 === 0) restored = TemplateMiner.restore(JSON.parse(JSON.stringify(restored.snapshot())) as MinerSnapshot, opts);
      assert.equal(restored.add(x.service, x.message, x.ts).id, a.id, `seed ${seed} line ${i}: "${x.message}": a restore changed the assignment`);
    });
    assert.ok(whole.stats.evicted > 0 && whole.stats.cacheHits > 0 && whole.stats.cacheClears > 0, `the stream exercised eviction and the cache: ${JSON.stringify(whole.stats)}`);
    assert.deepEqual(restored.all().map((t) => [t.id, templateText(t), t.count, t.firstSeen, t.lastSeen]), whole.all().map((t) => [t.id, templateText(t), t.count, t.firstSeen, t.lastSeen]));
  }
});

test('property: with or without the cache, lines of one event get one template', () => {
  const lines = Array.from({ length: 3000 }, (_, i) => `job ${['a1b2c3', 'zz9', '0x1f', 'u7'][i % 4]} took ${i}ms at 12:${String(i % 60).padStart(2, '0')}:01 on 10.0.${i % 256}.1`);
  for (const cacheEntries of [0, 20_000]) {
    const m = new TemplateMiner({ cacheEntries });
    assert.equal(new Set(lines.map((l) => m.add('s', l).id)).size, 1, `cacheEntries ${cacheEntries}`);
  }
});

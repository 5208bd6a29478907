import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, Weighted } from './prng.js';

test('the same seed gives the same stream, another seed a different one', () => {
  const draw = (seed: number) => {
    const r = new Rng(seed);
    return Array.from({ length: 8 }, () => r.uint32());
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
});

test('forks depend on the seed and salt only, not on how much the parent drew', () => {
  const a = new Rng(9);
  const b = new Rng(9);
  for (let i = 0; i < 100; i++) b.uint32();
  assert.equal(a.fork(3).uint32(), b.fork(3).uint32());
  assert.notEqual(a.fork(3).uint32(), a.fork(4).uint32());
});

test('draws stay in range', () => {
  const r = new Rng(1);
  for (let i = 0; i < 10_000; i++) {
    const f = r.float();
    assert.ok(f >= 0 && f < 1);
    const n = r.int(3, 7);
    assert.ok(Number.isInteger(n) && n >= 3 && n <= 7);
    assert.ok(r.skewed(10) < 10);
  }
  assert.match(r.hex(32), /^[0-9a-f]{32}$/);
  assert.match(r.hex(5), /^[0-9a-f]{5}$/);
});

test('Weighted draws in proportion to the weights and never a zero-weight item', () => {
  const r = new Rng(5);
  const w = new Weighted(['a', 'b', 'never'], [3, 1, 0]);
  const counts = { a: 0, b: 0, never: 0 };
  for (let i = 0; i < 40_000; i++) counts[w.pick(r) as keyof typeof counts]++;
  assert.equal(counts.never, 0);
  assert.ok(Math.abs(counts.a / counts.b - 3) < 0.2, `a:b = ${counts.a}:${counts.b}`);
  assert.throws(() => new Weighted(['x'], [0]), /BUG/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../errors.js';
import { createGenerator, type GeneratorOptions } from './generator.js';
import { SERVICES } from './services.js';

const START = new Date('2024-03-04T05:06:07.000Z');
const opts = (o: Partial<GeneratorOptions> = {}): GeneratorOptions => ({ seed: 11, start: START, linesPerSecond: 50, ...o });

function take(o: GeneratorOptions, n: number): string[] {
  const g = createGenerator(o);
  return Array.from({ length: n }, () => g.next());
}

interface JsonLine { [key: string]: unknown; timestamp: string; level: string; service: string; message: string; host: string }

test('the same seed gives the same lines; another seed different ones', () => {
  for (const format of ['json', 'mixed'] as const) {
    assert.deepEqual(take(opts({ format }), 3000), take(opts({ format }), 3000));
    assert.notDeepEqual(take(opts({ format, seed: 12 }), 50), take(opts({ format }), 50));
  }
});

test('JSON lines average 200 to 300 bytes', (t) => {
  const lines = take(opts(), 50_000);
  const avg = lines.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0) / lines.length;
  t.diagnostic(`average JSON line: ${avg.toFixed(1)} bytes including the newline`);
  assert.ok(avg >= 200 && avg <= 300, `average ${avg}`);
});

test('every JSON line parses and has the record fields, in their formats', () => {
  const g = createGenerator(opts({ services: SERVICES.length }));
  let previous = 0;
  let traced = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const line = g.next();
    assert.ok(!line.includes('\n'), 'one line, no newline');
    const o = JSON.parse(line) as JsonLine;
    assert.match(o.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.(\d{3}|\d{6})Z$/);
    const t = Date.parse(o.timestamp);
    assert.ok(t >= previous, 'timestamps never go backwards');
    previous = t;
    for (const key of ['level', 'service', 'message', 'host'] as const) assert.ok(typeof o[key] === 'string' && o[key] !== '', `${key} in ${line}`);
    if ('trace_id' in o) {
      traced++;
      assert.match(String(o.trace_id), /^[0-9a-f]{32}$/);
      assert.match(String(o.span_id), /^[0-9a-f]{16}$/);
    }
    if ('user_id' in o) assert.match(String(o.user_id), /^(u_\d{6}|[a-z]+)$/);
    if ('ip' in o) assert.match(String(o.ip), /^(\d{1,3}(\.\d{1,3}){3}|2001:db8:[0-9a-f]+::[0-9a-f]+)$/);
    if ('duration_ms' in o) assert.ok(typeof o.duration_ms === 'number' && o.duration_ms >= 0);
    if ('http.status' in o) assert.ok(Number.isInteger(o['http.status']));
  }
  assert.ok(traced > n * 0.3 && traced < n * 0.8, `${traced} traced lines`);
  assert.ok(previous - START.getTime() > 0.9 * (n / 50) * 1000, 'the clock advances at about linesPerSecond');
});

test('levels are skewed like real traffic and spelled several ways', () => {
  const canonical: Record<string, string> = {
    debug: 'DEBUG', info: 'INFO', warn: 'WARN', warning: 'WARN', error: 'ERROR', err: 'ERROR', fatal: 'FATAL', crit: 'FATAL', critical: 'FATAL',
  };
  const counts: Record<string, number> = {};
  const spellings = new Set<string>();
  const n = 200_000;
  const g = createGenerator(opts({ linesPerSecond: 500 }));
  for (let i = 0; i < n; i++) {
    const level = (JSON.parse(g.next()) as JsonLine).level;
    spellings.add(level);
    const c = canonical[level.toLowerCase()];
    assert.ok(c, `unknown level ${level}`);
    counts[c] = (counts[c] ?? 0) + 1;
  }
  const share = (l: string) => (counts[l] ?? 0) / n;
  assert.ok(share('INFO') > 0.55 && share('INFO') < 0.8, `INFO ${share('INFO')}`);
  assert.ok(share('DEBUG') > 0.1 && share('DEBUG') < 0.3, `DEBUG ${share('DEBUG')}`);
  assert.ok(share('WARN') > 0.04 && share('WARN') < 0.12, `WARN ${share('WARN')}`);
  assert.ok(share('ERROR') > 0.01 && share('ERROR') < 0.04, `ERROR ${share('ERROR')}`);
  assert.ok(share('FATAL') > 0 && share('FATAL') < 0.002, `FATAL ${share('FATAL')}`);
  for (const s of ['info', 'INFO', 'WARN', 'warning', 'WARNING', 'err']) assert.ok(spellings.has(s), `spelling ${s}`);
});

test('mixed format writes each service in its native format', () => {
  const shapes: Record<string, RegExp> = {
    json: /^\{"timestamp":"/,
    logfmt: /^ts=\S+ level=\w+ service=[\w-]+ host=\S+ msg=/,
    access: /^\S+ - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "(GET|POST|PUT|DELETE|PATCH) \S+ HTTP\/1\.1" \d{3} \d+ "[^"]*" "[^"]*"$/,
    rfc5424: /^<\d{1,3}>1 \d{4}-\d{2}-\d{2}T[\d:.]+Z \S+ [\w-]+ \d+ - (-|\[meta@32473[^\]]*\]) /,
    rfc3164: /^<\d{1,3}>\w{3} [ \d]\d \d{2}:\d{2}:\d{2} \S+ [\w-]+\[\d+\]: /,
    plain: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} (DEBUG|INFO |WARN |ERROR|FATAL) \[[^\]]+\] /,
  };
  const seen: Record<string, number> = {};
  for (const line of take(opts({ format: 'mixed' }), 20_000)) {
    const kind = Object.keys(shapes).find((k) => shapes[k]?.test(line));
    assert.ok(kind, `no known shape: ${line}`);
    assert.ok(!line.includes('\n'));
    seen[kind] = (seen[kind] ?? 0) + 1;
  }
  for (const kind of Object.keys(shapes)) assert.ok((seen[kind] ?? 0) > 200, `${kind}: ${seen[kind]}`);
});

test('services limits the fleet to the first n of the catalogue', () => {
  const names = new Set(take(opts({ services: 3 }), 5000).map((l) => (JSON.parse(l) as JsonLine).service));
  assert.deepEqual([...names].sort(), SERVICES.slice(0, 3).map((s) => s.name).sort());
  const all = new Set(take(opts(), 20_000).map((l) => (JSON.parse(l) as JsonLine).service));
  assert.equal(all.size, 12);
});

test('invalid options are config errors naming the key', () => {
  assert.throws(() => createGenerator(opts({ linesPerSecond: 0 })), (e) => e instanceof ConfigError && e.key === 'demo.linesPerSecond');
  assert.throws(() => createGenerator(opts({ services: 99 })), (e) => e instanceof ConfigError && e.key === 'demo.services');
  assert.throws(() => createGenerator(opts({ start: new Date('nope') })), (e) => e instanceof ConfigError && e.key === 'demo.start');
  assert.throws(() => createGenerator(opts({ format: 'xml' as 'json' })), (e) => e instanceof ConfigError && e.key === 'demo.format');
});

test('produced, timeMs and lastService follow the lines', () => {
  const g = createGenerator(opts());
  assert.equal(g.produced, 0);
  assert.equal(g.timeMs, START.getTime());
  for (let i = 1; i <= 100; i++) {
    const o = JSON.parse(g.next()) as JsonLine;
    assert.equal(g.produced, i);
    assert.equal(Date.parse(o.timestamp), Math.floor(g.timeMs));
    assert.equal(g.lastService, o.service);
  }
});

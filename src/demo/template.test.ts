import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './prng.js';
import { compileTemplate, LineContext, render, type ContextService } from './template.js';

const service: ContextService = {
  latencyMs: 50,
  routes: [{ method: 'GET', path: compileTemplate({ level: 'INFO', text: '/orders/{int:1-9}' }, 's', 'node') }],
  upstreams: ['db:5432'],
};

function renderOnce(text: string, seed = 1, status?: number[]) {
  const ctx = new LineContext(new Rng(seed));
  ctx.reset(service, 'host-1', 1);
  const t = compileTemplate(status ? { level: 'INFO', text, status } : { level: 'INFO', text }, 'svc', 'java');
  ctx.statusChoices = t.status;
  return { message: render(t, ctx), ctx, template: t };
}

test('a line-scoped value is drawn once: the user in the message is the user_id field', () => {
  const { message, ctx } = renderOnce('login failed for user={user}, again user={user} in {ms}ms');
  const m = /user=(u_\d+), again user=(u_\d+) in ([\d.]+)ms/.exec(message);
  assert.ok(m, message);
  assert.equal(m[1], m[2]);
  assert.equal(m[1], ctx.userId);
  assert.equal(Number(m[3]), ctx.durationMs);
});

test('int, one and route placeholders render from their arguments', () => {
  for (let seed = 0; seed < 50; seed++) {
    const { message, ctx } = renderOnce('{int:5-6} {one:a|b} {method} {path} {status}', seed, [200, 201]);
    assert.match(message, /^[56] [ab] GET \/orders\/[1-9] 200$/, 'a GET is never answered 201');
    assert.equal(ctx.status, 200);
  }
});

test('an unknown or malformed placeholder is a bug caught at compile time', () => {
  assert.throws(() => compileTemplate({ level: 'INFO', text: 'x {nope}' }, 's', 'go'), /BUG: unknown placeholder \{nope\}/);
  assert.throws(() => compileTemplate({ level: 'INFO', text: 'x {int:9-1}' }, 's', 'go'), /BUG: bad \{int/);
  assert.throws(() => compileTemplate({ level: 'INFO', text: 'x {one:a}' }, 's', 'go'), /BUG/);
});

test('a stack trace is fixed per template, as the same error repeats the same frames', () => {
  const a = renderOnce('boom{frames}', 1).message;
  const b = renderOnce('boom{frames}', 2).message;
  assert.equal(a, b);
  assert.match(a, /^boom(\n\tat com\.shop\.\w+\.\w+\.\w+\(\w+\.java:\d+\))+$/);
  assert.notEqual(renderOnce('other{frames}').message.slice(5), a.slice(4));
});

test('jsonSafe is false exactly when the text can need escaping', () => {
  const safe = (text: string) => compileTemplate({ level: 'INFO', text }, 's', 'java').jsonSafe;
  assert.equal(safe('user={user} took {ms}ms'), true);
  assert.equal(safe('query="{query}"'), false);
  assert.equal(safe('error{frames}'), false);
  assert.equal(safe('path C:\\temp'), false);
});

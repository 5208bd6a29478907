import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHeaderTail } from './plain-tail.js';

function tail(s: string): { level: string | null; rest: string; meta: Record<string, unknown> } {
  const meta: Record<string, unknown> = {};
  const t = parseHeaderTail(s, 0, meta);
  return { level: t.level, rest: s.slice(t.end).trim(), meta };
}

test('items in any order, each at most once', () => {
  assert.deepEqual(tail(' [main] INFO a.b.C - hi'), { level: 'INFO', rest: 'hi', meta: { thread: 'main', component: 'a.b.C' } });
  assert.deepEqual(tail(' INFO INFO x'), { level: 'INFO', rest: 'INFO x', meta: {} });
  assert.deepEqual(tail(' WARN: careful'), { level: 'WARN', rest: 'careful', meta: {} });
  assert.deepEqual(tail(' 42 ERROR x.Y: z'), { level: 'ERROR', rest: 'z', meta: { pid: 42, component: 'x.Y' } });
  assert.deepEqual(tail(' - myapp - WARNING - disk low'), { level: 'WARN', rest: 'disk low', meta: { component: 'myapp' } });
});

test('what is not a header item starts the message', () => {
  assert.deepEqual(tail(' 42 things happened'), { level: null, rest: '42 things happened', meta: {} });
  assert.deepEqual(tail(' [unclosed INFO x'), { level: null, rest: '[unclosed INFO x', meta: {} });
  assert.deepEqual(tail(' [error] java.io.IOException: boom'), { level: 'ERROR', rest: 'java.io.IOException: boom', meta: {} });
  assert.deepEqual(tail(' INFO Remoting: started'), { level: 'INFO', rest: 'Remoting: started', meta: {} });
  assert.deepEqual(tail(' INFO [t] [u] x'), { level: 'INFO', rest: '[u] x', meta: { thread: 't' } });
});

test('nested brackets and the thread:Class@line form', () => {
  assert.deepEqual(tail(' [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - x').meta,
    { thread: 'QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181', component: 'FastLeaderElection', line: 774 });
  assert.deepEqual(tail(' [a@b] x').meta, { thread: 'a@b' });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineGrouper, type TailRecord } from './multiline.js';

function group(lines: string[], o: Partial<ConstructorParameters<typeof LineGrouper>[0]> & { startPattern: string }): string[] {
  const g = new LineGrouper({ negate: false, maxLines: 500, maxBytes: 65536, timeoutMs: 1000, ...o });
  const out: TailRecord[] = [];
  let at = 0;
  for (const l of lines) {
    const b = Buffer.from(l);
    g.push(b, at, at + b.length + 1, 0, out);
    at += b.length + 1;
    if (at % 3 === 0) g.detach(); // detaching (copying pending lines) must not change the result
  }
  if (g.pendingStart !== undefined) out.push(g.take());
  return out.map((r) => r.bytes.toString());
}

test('a record starts at a matching line; lines before the first start form one record', () => {
  assert.deepEqual(group(['  orphan', '  orphan2', 'S a', ' x', 'S b'], { startPattern: '^S ' }), ['  orphan\n  orphan2', 'S a\n x', 'S b']);
});

test('negate: the pattern names continuation lines; every other line starts a record', () => {
  assert.deepEqual(group(['Traceback:', '  File "a"', '  File "b"', 'next', 'last', '  cont'], { startPattern: '^\\s', negate: true }), ['Traceback:\n  File "a"\n  File "b"', 'next', 'last\n  cont']);
});

test('maxBytes and maxLines end a record; the rest goes on as new records', () => {
  assert.deepEqual(group(['S 1', 'aaaa', 'bbbb', 'cccc'], { startPattern: '^S ', maxBytes: 10 }), ['S 1\naaaa', 'bbbb\ncccc']);
  assert.deepEqual(group(['S 1', 'a', 'b', 'c', 'd'], { startPattern: '^S ', maxLines: 2 }), ['S 1\na', 'b\nc', 'd']);
});

test('pendingStart is the offset of the pending record; take() gives its end', () => {
  const g = new LineGrouper({ startPattern: '^S', negate: false, maxLines: 500, maxBytes: 65536, timeoutMs: 1000 });
  const out: TailRecord[] = [];
  g.push(Buffer.from('S1'), 0, 3, 0, out);
  g.push(Buffer.from(' c'), 3, 6, 0, out);
  g.push(Buffer.from('S2'), 6, 9, 0, out);
  assert.deepEqual(out.map((r) => [r.bytes.toString(), r.end]), [['S1\n c', 6]]);
  assert.equal(g.pendingStart, 6);
  assert.equal(g.take().end, 9);
  assert.equal(g.pendingStart, undefined);
});

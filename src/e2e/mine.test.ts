// `logsift mine` as users run it: the real binary on real files, the output contract checked line by line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binPath, tempDir } from './harness.js';

const run = (args: string[]) => spawnSync(process.execPath, [binPath, 'mine', ...args], { encoding: 'utf8', timeout: 60_000 });
const readOut = (p: string) => readFileSync(p, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { line: number; template_id: string; template: string });

test('mine: raw lines give one object per line in input order, header fields left out of the template', () => {
  const dir = tempDir('mine');
  const input = join(dir, 'auth.log');
  const lines = [
    'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186',
    '2026-12-03T10:00:00.123Z ERROR [api] upstream timeout after 30s on 10.0.0.7:8080',
    '{"ts":"2026-12-03T10:00:01Z","level":"info","service":"api","msg":"upstream timeout after 12s on 10.0.0.9:8080"}',
    'Dec 10 07:02:47 LabSZ sshd[24300]: Invalid user test9 from 52.80.34.196',
    '',
    'level=warn msg="disk almost full" mount=/var used=91%',
  ];
  writeFileSync(input, `${lines.join('\n')}\r\n`);
  const output = join(dir, 'out.ndjson');
  const r = run(['--input', input, '--output', output]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /mined 6 lines into \d+ templates/);
  const out = readOut(output);
  assert.deepEqual(out.map((o) => o.line), [1, 2, 3, 4, 5, 6]);
  for (const o of out) {
    assert.deepEqual(Object.keys(o), ['line', 'template_id', 'template']);
    assert.match(o.template_id, /^[0-9a-f]{16}$/);
  }
  assert.equal(out[0]?.template, 'Invalid user <*> from <*>');
  assert.equal(out[0]?.template_id, out[3]?.template_id);
  // The JSON line and the plain line carry the same event: the normalizer finds the message in both.
  assert.equal(out[1]?.template, 'upstream timeout after <*> on <*>:<*>');
  assert.equal(out[1]?.template_id, out[2]?.template_id);
  assert.equal(out[5]?.template, 'disk almost full');
});

test('mine --message-only takes each line as the message; bad paths fail with a clear error', () => {
  const dir = tempDir('mine-msg');
  const input = join(dir, 'msgs.txt');
  writeFileSync(input, 'Dec 10 06:55:46 connection from 10.0.0.1\nDec 11 07:00:01 connection from 10.0.0.2\n');
  const output = join(dir, 'out.ndjson');
  assert.equal(run(['--input', input, '--output', output, '--message-only']).status, 0);
  const out = readOut(output);
  assert.equal(out.length, 2);
  assert.equal(out[0]?.template, 'Dec <*> <*> connection from <*>');
  const missing = run(['--input', join(dir, 'nope.log'), '--output', output]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read .*nope\.log: ENOENT/);
  const unwritable = run(['--input', input, '--output', join(dir, 'no', 'such', 'dir.ndjson')]);
  assert.equal(unwritable.status, 1);
  assert.match(unwritable.stderr, /cannot write .*dir\.ndjson/);
});

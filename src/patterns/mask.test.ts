// One test per built-in masking rule, plus the fast paths, collapsing and user rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinMaskRules, maskMessage, maskToken } from './mask.js';

const cases: Record<string, [string, string][]> = {
  url: [['spark://Scheduler@10.0.0.1:48069', 'spark://<*>'], ['hdfs://nn:9000/tmp/x.jar', 'hdfs://<*>'], [':[akka.tcp://sys@host-07:55904]', ':[akka.tcp://<*>]']],
  path: [['/var/log/app/2026-01-01.log', '<*>'], ['file=/etc/passwd', 'file=<*>'], ["'/tmp/x'", "'<*>'"], ['C:\\Users\\me\\x.txt', '<*>'], ['/default-rack', '<*>']],
  uuid: [['id=3f2b0c1e-9a4d-4c1b-8e2f-0123456789ab', 'id=<*>']],
  mac: [['00:1b:44:11:3a:b7', '<*>']],
  ipv6: [['fe80::1ff:fe23:4567:890a', '<*>'], ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '<*>']],
  hostname: [['msra-sa-39.fareast.corp.example.com', '<*>'], ['rhost=5.36.59.76.dsl.example.net', 'rhost=<*>'], ['node7.example.com:8042', '<*>:<*>']],
  ipv4: [['10.250.19.102', '<*>'], ['/10.10.34.11:45307', '<*>:<*>'], ['[173.234.31.186]', '[<*>]'], ['0.0.0.0/0.0.0.0:3888', '<*>/<*>:<*>']],
  datetime: [['2015-10-18T18:01:47.978Z', '<*>'], ['at=2026-12-03', 'at=<*>']],
  time: [['07:07:00', '<*>'], ['(12:30:45.123)', '(<*>)']],
  hex: [['0x1f4a', '<*>'], ['sessionid:0x14ed93119420016', 'sessionid:<*>'], ['deadbeef01', '<*>']],
  id: [['blk_-6952295868487656571', '<*>'], ['appattempt_1445144423722_0020_000001', '<*>'], ['R02-M1-N0-C:J12-U11', '<*>:<*>']],
  number: [['42', '<*>'], ['-17', '<*>'], ['3.14', '<*>'], ['uid=0', 'uid=<*>'], ['(TID', '(TID'], ['12ms', '<*>'], ['80%', '<*>'], ['5.2,', '<*>,'], ['core.2275', 'core.<*>']],
};

test('every built-in rule has cases here', () => {
  assert.deepEqual(Object.keys(cases).sort(), builtinMaskRules.map((r) => r.name).sort());
});

for (const [rule, list] of Object.entries(cases)) {
  test(`mask rule ${rule}`, () => {
    for (const [input, want] of list) assert.equal(maskToken(input), want, `${rule}: ${input}`);
  });
}

test('words, and words with a digit or two glued to letters, stay (the miner decides by variation)', () => {
  for (const w of ['Failed', 'password', 'ssh2', 'jk2_init()', 'Slf4jLogger', 'E12', 'NODEVssh', '[preauth]', 'tty=ssh']) assert.equal(maskToken(w), w);
});

test('a partly masked segment becomes wholly variable when a digit or a glued word is left', () => {
  assert.equal(maskToken('v1.0.0'), '<*>');
  assert.equal(maskToken('mesos-slave-07'), '<*>');
  assert.equal(maskToken('dquot_6.5.1'), '<*>');
  assert.equal(maskToken('core.2275'), 'core.<*>');
});

test('user rules run first, over the whole message (they may span spaces), and may keep part of the match', () => {
  const rules = [{ name: 'ticket', pattern: /TICKET-[A-Z]+/g }, { name: 'kv', pattern: /(user=)\w+/g, replacement: '$1<*>' }, { name: 'took', pattern: /took \w+ ms/g }];
  assert.equal(maskMessage('closed TICKET-ABC for user=alice, took five ms', rules).key, 'closed <*> for user=<*>, <*>');
});

test('hostile tokens: long runs mask in linear time, a token over MAX_TOKEN_CHARS is a variable', () => {
  const hostile = ['z'.repeat(65_000) + '1', 'a.'.repeat(32_500) + '1', `${'a1:'.repeat(20_000)}//x`, '/'.repeat(60_000) + '1', `key="${'\\"'.repeat(20_000)}`];
  const t0 = performance.now();
  for (const h of hostile) maskMessage(`${'word '.repeat(300)}${h}`);
  // A bound far above the linear cost (milliseconds) and far below the quadratic one (seconds): not a speed target.
  assert.ok(performance.now() - t0 < 2000, `masking ${hostile.length} hostile 64 KiB messages took ${Math.round(performance.now() - t0)} ms`);
  assert.equal(maskToken('x'.repeat(300)), '<*>');
});

test('maskMessage splits on any whitespace, caps the token count and keys by the masked text', () => {
  const r = maskMessage('  Connection from 10.0.0.1\tclosed after 30ms  ');
  assert.deepEqual(r.masked, ['Connection', 'from', '<*>', 'closed', 'after', '<*>']);
  assert.equal(r.key, 'Connection from <*> closed after <*>');
  const long = maskMessage(Array.from({ length: 20 }, (_, i) => `w${i}x`).join(' '), [], 8);
  assert.equal(long.masked.length, 8);
  assert.equal(long.masked[7], 'w7x w8x w9x w10x w11x w12x w13x w14x w15x w16x w17x w18x w19x');
});

test('a double-quoted string is one variable, spaces and all; single quotes are left alone', () => {
  assert.equal(maskMessage('search query="phone case" results=12 took 3ms').key, 'search query="<*>" results=<*> took <*>');
  assert.equal(maskMessage('msg="say \\"hi\\" there" ok').key, 'msg="<*>" ok');
  assert.equal(maskMessage('slow query "kids bike" took 12ms').key, 'slow query "<*>" took <*>');
  assert.equal(maskMessage("Can't find child 12 in 'slot'").key, "Can't find child <*> in 'slot'");
  assert.equal(maskMessage('an "unterminated quote here').key, 'an "unterminated quote here');
});

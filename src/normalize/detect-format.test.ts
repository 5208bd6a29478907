import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectAndParse } from './detect-format.js';
import { mc, opts } from './test-support.js';

test('each format is detected from its own shape', () => {
  const cases: [string, string][] = [
    ['{"msg":"hi"}', 'json'],
    ['ts=2024-01-01T00:00:00Z level=info msg=hi', 'logfmt'],
    ['<165>1 2003-10-11T22:14:15.003Z host app - ID47 - hi', 'rfc5424'],
    ['<13>Oct 11 22:14:15 host app: hi', 'rfc3164'],
    ['Oct 11 22:14:15 host app[1]: hi', 'rfc3164'],
    ['2024-01-02T03:04:05+00:00 host app[1]: hi', 'rfc3164'],
    ['1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "curl"', 'access_combined'],
    ['1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1', 'access_common'],
    ['2024-01-02 03:04:05,678 ERROR [main] Something', 'plain'],
    ['[Sun Dec 04 04:47:44 2005] [notice] ok', 'plain'],
    ['- 1117838570 2005.06.03 R02 2005-06-03-15.42.50.675872 R02 RAS KERNEL INFO x', 'plain'],
    ['just words', 'plain'],
    ['<not syslog> words', 'plain'],
    ['key=value alone', 'plain'],
  ];
  for (const [line, format] of cases) {
    const r = detectAndParse(line, mc, opts);
    assert.ok(r.ok, `${line}: ${r.ok ? '' : r.message}`);
    assert.equal(r.format, format, line);
  }
});

test('a line starting with { is JSON or unparseable, never plain', () => {
  const r = detectAndParse('{oops} not json', mc, opts);
  assert.ok(!r.ok);
  assert.equal(r.reason, 'unparseable');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAccessLog } from './parse-access-log.js';
import { mc, ok, rejected } from './test-support.js';

test('combined: client, user, time, request, status, bytes, referer, agent', () => {
  const d = ok(parseAccessLog('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"', mc));
  assert.equal(d.format, 'access_combined');
  assert.equal(d.timestamp, '2000-10-10T20:55:36Z');
  assert.equal(d.ip_address, '127.0.0.1');
  assert.equal(d.user_id, 'frank');
  assert.equal(d.level, 'INFO');
  assert.equal(d.message, 'GET /apache_pb.gif HTTP/1.0');
  assert.deepEqual(d.metadata, {
    method: 'GET', path: '/apache_pb.gif', protocol: 'HTTP/1.0', status: 200, bytes: 2326,
    referer: 'http://www.example.com/start.html', user_agent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
  });
});

test('common: level from status, "-" fields omitted, host names kept as metadata.client', () => {
  const d = ok(parseAccessLog('2001:db8::1 - - [10/Oct/2000:13:55:36 +0000] "POST /api HTTP/1.1" 503 -', mc));
  assert.deepEqual([d.format, d.level, d.ip_address, d.user_id], ['access_common', 'ERROR', '2001:db8::1', undefined]);
  assert.deepEqual(d.metadata, { method: 'POST', path: '/api', protocol: 'HTTP/1.1', status: 503 });
  const w = ok(parseAccessLog('gw.example.com ident - [10/Oct/2000:13:55:36 +0000] "GET /x HTTP/1.1" 404 12', mc));
  assert.equal(w.level, 'WARN');
  assert.deepEqual(w.metadata, { method: 'GET', path: '/x', protocol: 'HTTP/1.1', status: 404, bytes: 12, ident: 'ident', client: 'gw.example.com' });
});

test('odd requests, escaped quotes and trailing nginx fields', () => {
  const d = ok(parseAccessLog('1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "\\x16\\x03 junk" 400 0 "-" "curl/8 \\"x\\"" "5.6.7.8"', mc));
  assert.equal(d.message, '\\x16\\x03 junk');
  assert.deepEqual(d.metadata, { request: '\\x16\\x03 junk', status: 400, bytes: 0, user_agent: 'curl/8 "x"', extra: '"5.6.7.8"' });
});

test('not an access log: null; an access log with a broken time: invalid_timestamp', () => {
  assert.equal(parseAccessLog('a b c d', mc), null);
  assert.equal(parseAccessLog('2024-01-01 00:00:00 INFO [main] x', mc), null);
  assert.equal(rejected(parseAccessLog('1.2.3.4 - - [99/Foo/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1', mc)).reason, 'invalid_timestamp');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../decoders.js';
import { decodeBulk, type BulkDecoded } from './bulk-decoder.js';

const rules = { map: { 'audit-*': 'security' }, strip: true };
function decode(lines: string[], index: string | null = null): { values: unknown[]; items: BulkDecoded['items'] } {
  const d = decodeBulk(Buffer.from(lines.join('\n') + '\n'), { options: { index, ...rules } });
  return { values: d.values, items: (d.decoded as BulkDecoded).items };
}

test('index and create documents become values with the service of their index unless they name one', () => {
  const { values, items } = decode([
    '{"index":{"_index":"myapp-2026.01.05","_id":"a1"}}', '{"message":"one"}',
    '{"create":{}}', '{"message":"two","service.name":"own"}',
    '{"create":{"_index":"audit-000001"}}', '{"message":"three","service":{"type":"x"}}',
    '{"index":{"_index":"x","_id":7}}', '{"message":"four","service":""}',
  ], 'logs-web-default');
  assert.deepEqual(values, [
    { message: 'one', service: 'myapp' },
    { message: 'two', 'service.name': 'own' },
    { message: 'three', service: { type: 'x', name: 'security' } },
    { message: 'four', service: 'x', service_original: '' },
  ]);
  assert.deepEqual(items.map((i) => [i.op, i.index, i.value]), [['index', 'myapp-2026.01.05', 0], ['create', 'logs-web-default', 1], ['create', 'audit-000001', 2], ['index', 'x', 3]]);
  assert.equal(items[0]?.id, 'a1');
  assert.equal(items[3]?.id, '7');
  assert.match(items[1]?.id ?? '', /^[A-Za-z0-9_-]{20}$/);
  assert.notEqual(items[1]?.id, items[2]?.id);
});

test('update and delete are per-item errors; the update document line is consumed', () => {
  const { values, items } = decode(['{"update":{"_id":"1","_index":"i"}}', '{"doc":{"message":"x"}}', '{"delete":{"_id":"2","_index":"i"}}', '{"index":{"_index":"i"}}', '{"message":"kept"}']);
  assert.deepEqual(values, [{ message: 'kept', service: 'i' }]);
  assert.deepEqual(items.map((i) => [i.op, i.error?.status, i.error?.type]), [['update', 400, 'illegal_argument_exception'], ['delete', 400, 'illegal_argument_exception'], ['index', undefined, undefined]]);
});

test('a document that is not JSON is kept as a value (dead-lettered later) with a parse error; no index is a validation error', () => {
  const { values, items } = decode(['{"index":{"_index":"i"}}', 'not json', '{"index":{}}', '{"message":"m"}', '', '{"index":{"_index":"i"}}', '[1]']);
  assert.deepEqual(values, ['not json', [1]]);
  assert.equal(items[0]?.error?.type, 'document_parsing_exception');
  assert.equal(items[0]?.value, 0);
  assert.equal(items[1]?.error?.type, 'action_request_validation_exception');
  assert.equal(items[1]?.value, -1);
  assert.equal(items[2]?.value, 1);
  assert.equal(items[2]?.error, undefined);
});

test('CRLF line ends and blank lines between pairs are accepted', () => {
  const body = Buffer.from('{"index":{}}\r\n{"message":"a"}\r\n\r\n{"create":{}}\r\n{"message":"b"}');
  assert.deepEqual(decodeBulk(body, { options: { index: 'i', ...rules } }).values, [{ message: 'a', service: 'i' }, { message: 'b', service: 'i' }]);
});

test('a body that cannot be split into actions is a DecodeError', () => {
  const bad = (lines: string[]) => assert.throws(() => decode(lines, 'i'), DecodeError, lines.join('|'));
  bad(['{"index":{}']);
  bad(['{"upsert":{}}', '{}']);
  bad(['{"index":{},"create":{}}', '{}']);
  bad(['{"index":[]}', '{}']);
  bad(['{"index":{}}']);
  assert.throws(() => decodeBulk(Buffer.from([0x7b, 0xff, 0x0a]), { options: { index: 'i', ...rules } }), /UTF-8/);
});

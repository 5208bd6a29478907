import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bulkResponse, errorBody, filterPath } from './responses.js';

test('the bulk response has one item per action; dead letters are 400 items naming their reason', () => {
  let seq = 0;
  const r = bulkResponse({
    items: [
      { op: 'index', index: 'a', id: '1', value: 0 },
      { op: 'create', index: 'a', id: '2', value: 1 },
      { op: 'delete', index: 'a', id: '3', value: -1, error: { status: 400, type: 'illegal_argument_exception', reason: 'no' } },
      { op: 'index', index: 'a', id: '4', value: 2 },
    ],
  }, [{ index: 1, reason: 'too_old', error: 'older than retention' }], 12.4, () => seq++);
  assert.equal(r.took, 12);
  assert.equal(r.errors, true);
  assert.deepEqual(r.items[0], { index: { _index: 'a', _id: '1', _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: 0, _primary_term: 1, status: 201 } });
  assert.deepEqual(r.items[1], { create: { _index: 'a', _id: '2', status: 400, error: { type: 'illegal_argument_exception', reason: 'dead-lettered (too_old): older than retention' } } });
  assert.equal((r.items[2]?.delete as { status: number }).status, 400);
  assert.equal((r.items[3]?.index as { _seq_no: number })._seq_no, 1);
  assert.equal(bulkResponse({ items: [{ op: 'index', index: 'a', id: '1', value: 0 }] }, [], 1, () => 0).errors, false);
});

test('filter_path keeps the named paths, * for one key and ** for any depth', () => {
  const res = { took: 3, errors: true, items: [{ index: { _id: 'a', status: 201 } }, { create: { _id: 'b', status: 400, error: { type: 't', reason: 'r' } } }] };
  assert.deepEqual(filterPath(res, 'errors,items.*.error,items.*.status'), { errors: true, items: [{ index: { status: 201 } }, { create: { status: 400, error: { type: 't', reason: 'r' } } }] });
  assert.deepEqual(filterPath(res, 'took'), { took: 3 });
  assert.deepEqual(filterPath(res, 'items.**.reason'), { items: [{ create: { error: { reason: 'r' } } }] });
  assert.deepEqual(filterPath(res, 'nothing'), {});
  assert.deepEqual(filterPath(res, '-took'), res);
});

test('errors use the Elasticsearch envelope', () => {
  assert.deepEqual(errorBody('parse_exception', 'bad', 400), { error: { root_cause: [{ type: 'parse_exception', reason: 'bad' }], type: 'parse_exception', reason: 'bad' }, status: 400 });
});

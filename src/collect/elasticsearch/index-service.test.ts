import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceForIndex, stripIndexName } from './index-service.js';

test('index names lose their rollover, date and version suffixes; data streams give their dataset', () => {
  const cases: [string, string][] = [
    ['myapp', 'myapp'],
    ['myapp-2026.12.03', 'myapp'],
    ['myapp-2026-12-03', 'myapp'],
    ['myapp-2026.12', 'myapp'],
    ['myapp_20261203', 'myapp'],
    ['myapp-000001', 'myapp'],
    ['logstash-2026.12.03-000007', 'logstash'],
    ['filebeat-8.17.0', 'filebeat'],
    ['filebeat-8.17.0-2026.12.03-000001', 'filebeat'],
    ['logs-myapp-default', 'myapp'],
    ['logs-nginx.access-prod', 'nginx.access'],
    ['.ds-logs-myapp-default-2026.12.03-000001', 'myapp'],
    ['logs-generic-default', 'generic'],
    ['2026.12.03', '2026.12.03'],
    ['web-api', 'web-api'],
  ];
  for (const [index, want] of cases) assert.equal(stripIndexName(index), want, index);
});

test('explicit entries win: exact name, then the longest prefix; strip false keeps the name', () => {
  const rules = { map: { 'nginx-*': 'nginx', 'nginx-edge-*': 'edge', audit: 'security' }, strip: true };
  assert.equal(serviceForIndex('nginx-2026.01.01', rules), 'nginx');
  assert.equal(serviceForIndex('nginx-edge-2026.01.01', rules), 'edge');
  assert.equal(serviceForIndex('audit', rules), 'security');
  assert.equal(serviceForIndex('app-000002', rules), 'app');
  assert.equal(serviceForIndex('app-000002', { map: {}, strip: false }), 'app-000002');
  assert.equal(serviceForIndex('__proto__', { map: {}, strip: true }), '__proto__');
});

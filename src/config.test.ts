import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, resolveConfig } from './config.js';
import { ConfigError } from './errors.js';

test('defaults fill an empty config', () => {
  const c = resolveConfig({});
  assert.equal(c.server.host, '127.0.0.1');
  assert.equal(c.wal.fsync, true);
  assert.equal(c.normalize.maxLineBytes, 65536);
});

test('unknown keys are rejected with the key path and the allowed keys', () => {
  assert.throws(() => resolveConfig({ server: { prot: 1 } }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.key, 'server.prot');
    assert.match(e.message, /allowed keys here: host, port/);
    return true;
  });
});

test('wrong types and enums name the key', () => {
  assert.throws(() => resolveConfig({ server: { port: 'x' } }), /config key "server.port": must be integer/);
  assert.throws(() => resolveConfig({ log: { level: 'loud' } }), /config key "log.level": must be one of fatal/);
  assert.throws(() => resolveConfig({ store: { memoryLimit: 'lots' } }), /store.memoryLimit/);
});

test('YAML file and environment overrides', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsift-cfg-'));
  const f = join(dir, 'c.yaml');
  writeFileSync(f, 'server:\n  port: 9999\nwal:\n  groupCommitMs: 5\n');
  const c = loadConfig(f, { LOGSIFT_DATA_DIR: '/tmp/x', LOGSIFT_PORT: '7000' });
  assert.equal(c.server.port, 7000);
  assert.equal(c.wal.groupCommitMs, 5);
  assert.equal(c.dataDir, '/tmp/x');
  writeFileSync(f, 'server: [1,2\n');
  assert.throws(() => loadConfig(f, {}), /cannot parse YAML/);
  assert.throws(() => loadConfig(join(dir, 'missing.yaml'), {}), /cannot read config file/);
});

test('every key can be set from the environment, with types checked', async () => {
  const { applyEnv, envNames } = await import('./config.js');
  const names = envNames().map((e) => e.env);
  assert.ok(names.includes('LOGSIFT_WAL__FSYNC') && names.includes('LOGSIFT_SERVER__MAX_BODY_BYTES') && names.includes('LOGSIFT_NORMALIZE__DEFAULT_SERVICE'));
  const c = applyEnv(resolveConfig({}), { LOGSIFT_WAL__FSYNC: 'false', LOGSIFT_SERVER__INGEST_WORKERS: '2', LOGSIFT_NORMALIZE__DEFAULT_SERVICE: 'null', LOGSIFT_STORE__MEMORY_LIMIT: '1GiB' });
  assert.equal(c.wal.fsync, false);
  assert.equal(c.server.ingestWorkers, 2);
  assert.equal(c.normalize.defaultService, null);
  assert.equal(c.store.memoryLimit, '1GiB');
  assert.throws(() => applyEnv(resolveConfig({}), { LOGSIFT_WAL__FSYNC: 'maybe' }), /config key "wal.fsync": environment value "maybe" must be true or false/);
  assert.throws(() => applyEnv(resolveConfig({}), { LOGSIFT_SERVER__PORT: '80a' }), /server.port/);
});

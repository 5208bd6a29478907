import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlainHeader, plainLine } from './parse-plain.js';
import { mc, ok } from './test-support.js';

const header = (l: string) => ok(parsePlainHeader(l, mc));

test('log4j-style headers: timestamp, level, [thread], component', () => {
  const a = header('2024-01-02 03:04:05,678 ERROR [main] Something broke');
  assert.deepEqual([a.timestamp, a.level, a.message, a.metadata], ['2024-01-02T03:04:05.678Z', 'ERROR', 'Something broke', { thread: 'main' }]);
  const b = header('2024-01-02T03:04:05.123Z WARN msg');
  assert.deepEqual([b.timestamp, b.level, b.message, b.metadata], ['2024-01-02T03:04:05.123Z', 'WARN', 'msg', {}]);
  const c = header('2015-10-18 18:01:47,978 INFO [IPC Server handler 14 on 62270] org.apache.hadoop.mapred.TaskAttemptListenerImpl: Progress of TaskAttempt');
  assert.deepEqual(c.metadata, { thread: 'IPC Server handler 14 on 62270', component: 'org.apache.hadoop.mapred.TaskAttemptListenerImpl' });
  assert.equal(c.message, 'Progress of TaskAttempt');
  const d = header('2024-01-02 03:04:05.000 [pool-1] DEBUG com.example.Foo - cache miss: key=7');
  assert.deepEqual([d.level, d.message, d.metadata], ['DEBUG', 'cache miss: key=7', { thread: 'pool-1', component: 'com.example.Foo' }]);
});

test('HDFS, Spark and Zookeeper headers', () => {
  const h = header('081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating');
  assert.deepEqual([h.timestamp, h.level, h.message, h.metadata], ['2008-11-09T20:36:15Z', 'INFO', 'PacketResponder 1 for block blk_38865049064139660 terminating', { pid: 148, component: 'dfs.DataNode$PacketResponder' }]);
  const s = header('17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]');
  assert.deepEqual([s.timestamp, s.message, s.metadata], ['2017-06-09T20:10:40Z', 'Registered signal handlers for [TERM, HUP, INT]', { component: 'executor.CoarseGrainedExecutorBackend' }]);
  const z = header('2015-07-29 19:04:12,394 - INFO  [/10.10.34.11:3888:QuorumCnxManager$Listener@493] - Received connection request /10.10.34.11:45307');
  assert.deepEqual([z.level, z.message, z.metadata], ['INFO', 'Received connection request /10.10.34.11:45307', { thread: '/10.10.34.11:3888', component: 'QuorumCnxManager$Listener', line: 493 }]);
});

test('BGL: the epoch column gives the instant, the date-time column its microseconds', () => {
  const b = header('KERNDTLB 1118536327 2005.06.11 R30-M0-N9-C:J16-U01 2005-06-11-17.32.07.581048 R30-M0-N9-C:J16-U01 RAS KERNEL FATAL data TLB error interrupt');
  assert.deepEqual([b.timestamp, b.level, b.host, b.message], ['2005-06-12T00:32:07.581048Z', 'FATAL', 'R30-M0-N9-C:J16-U01', 'data TLB error interrupt']);
  assert.deepEqual(b.metadata, { label: 'KERNDTLB', type: 'RAS', component: 'KERNEL' });
  const n = header('- 1120231520 2005.07.01 NULL 2005-07-01-08.25.20.466953 NULL NULL DISCOVERY SEVERE Ido chip status changed');
  assert.deepEqual([n.level, n.host, n.metadata], ['ERROR', undefined, { component: 'DISCOVERY', node: 'NULL' }]);
  assert.equal(header('- 1120231520 2005.07.01 X 2005-07-01-08.25.20.466953 X RAS APP ODD m').metadata?.level_raw, 'ODD');
});

test('Apache error log: bracketed ctime and level; [client] gives ip_address but stays in the message', () => {
  const a = header('[Sun Dec 04 05:15:09 2005] [error] [client 222.166.160.184] Directory index forbidden by rule: /var/www/html/');
  assert.deepEqual([a.timestamp, a.level, a.ip_address, a.message], ['2005-12-04T05:15:09Z', 'ERROR', '222.166.160.184', '[client 222.166.160.184] Directory index forbidden by rule: /var/www/html/']);
  const b = header('[Wed Oct 11 14:32:52.123456 2000] [core:crit] [pid 35708:tid 4328636416] [client 1.2.3.4:5678] AH00124: Request exceeded');
  assert.deepEqual([b.timestamp, b.level, b.ip_address, b.message], ['2000-10-11T14:32:52.123456Z', 'FATAL', '1.2.3.4', '[client 1.2.3.4:5678] AH00124: Request exceeded']);
  assert.deepEqual(b.metadata, { module: 'core', pid: 35708, tid: 4328636416 });
});

test('no level in the header: inferred from the message, else INFO', () => {
  assert.equal(header('2024-01-02 03:04:05 job failed with ERROR 7').level, 'ERROR');
  assert.equal(header('2024-01-02 03:04:05 all quiet').level, 'INFO');
  assert.equal(header('2024-01-02 03:04:05 all quiet').message, 'all quiet');
});

test('no header: null; plainLine keeps the whole line with receivedAt', () => {
  for (const l of ['hello world', '2024-13-45 10:00:00 ERROR bad date', '20240102 something', '2024-01-02T03:04:05Zabc x', '[not a date] x']) {
    assert.equal(parsePlainHeader(l, mc), null, l);
  }
  assert.deepEqual(plainLine('Something WARN-ish happened'), { ok: true, format: 'plain', message: 'Something WARN-ish happened', timestamp: null, level: 'WARN', metadata: null });
});

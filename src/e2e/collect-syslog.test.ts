// The syslog source end to end: a real server on loopback fed by util-linux `logger` (RFC 5424 and 3164 over UDP and
// TCP, octet-counted or not), rsyslog forwarding (omfwd), a Node TLS client, and raw TCP framing edge cases.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { startServer, tempDir, type RunningServer } from './harness.js';
import { freePort, portOf, rows, run, sourceRow, tool, waitReceived } from './syslog-support.js';

const runId = `r${Date.now().toString(36)}`;
const dir = tempDir('syslog');
let server: RunningServer;
const logger = tool('logger', ['/usr/bin/logger']);
const shortHost = hostname().split('.')[0] ?? '';

before(async () => {
  server = await startServer(join(dir, 'data'), {
    wal: { flushIntervalMs: 200 },
    sources: [
      { type: 'syslog', name: 'sl-tcp', protocol: 'tcp', port: 0 },
      { type: 'syslog', name: 'sl-udp', protocol: 'udp', port: 0 },
      { type: 'syslog', name: 'sl-small', protocol: 'tcp', port: 0, maxMessageBytes: 256, maxConnections: 2, idleTimeoutMs: 400, service: 'small-default' },
    ],
  });
});
after(async () => { await server?.stop(); });

const frame = (m: string) => `${Buffer.byteLength(m)} ${m}`;

function tcpSend(port: number, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ port, host: '127.0.0.1' }, () => s.end(data));
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

test('util-linux logger: RFC 5424 and RFC 3164 over TCP (octet-counted and LF-framed) and UDP, each stored once with its fields', { timeout: 60_000 }, async (t) => {
  if (!logger) { t.skip('SKIPPED: util-linux logger is not installed (apt-get install bsdutils)'); return; }
  const tcp = await portOf(server.url, 'sl-tcp');
  const udp = await portOf(server.url, 'sl-udp');
  const cases = [
    { src: 'sl-tcp', args: ['-T', '--rfc5424', '--octet-count', '-p', 'local3.err', '--sd-id', 'ex@32473', '--sd-param', 'k="v 1"', '--sd-param', 'q="a\\"b\\]"'], level: 'ERROR', facility: 'local3', severity: 'err', sd: { k: 'v 1', q: 'a"b]' } },
    { src: 'sl-tcp', args: ['-T', '--rfc5424', '-p', 'user.warning'], level: 'WARN', facility: 'user', severity: 'warning' },
    { src: 'sl-tcp', args: ['-T', '--rfc3164', '--octet-count', '-p', 'auth.crit'], level: 'FATAL', facility: 'auth', severity: 'crit' },
    { src: 'sl-tcp', args: ['-T', '--rfc3164', '-p', 'daemon.info'], level: 'INFO', facility: 'daemon', severity: 'info' },
    { src: 'sl-udp', args: ['-d', '--rfc5424', '-p', 'local7.debug', '--sd-id', 'ex@32473', '--sd-param', 'k="udp"'], level: 'DEBUG', facility: 'local7', severity: 'debug', sd: { k: 'udp' } },
    { src: 'sl-udp', args: ['-d', '--rfc3164', '-p', 'mail.notice'], level: 'INFO', facility: 'mail', severity: 'notice' },
  ];
  const t0 = Date.now();
  cases.forEach((c, i) => {
    run(logger, ['-n', '127.0.0.1', '-P', String(c.src === 'sl-udp' ? udp : tcp), ...c.args, '-t', `app${i}-${runId}`, '--id=4242', `message ${i} from ${runId} with "quotes" and = signs`]);
  });
  await waitReceived(server.url, 'sl-tcp', 4);
  await waitReceived(server.url, 'sl-udp', 2);
  for (const [i, c] of cases.entries()) {
    const found = await rows(server.url, `service:app${i}-${runId}`);
    assert.equal(found.length, 1, `case ${i} (${c.args.join(' ')}) stored once: ${JSON.stringify(found)}`);
    const r = found[0]!;
    assert.equal(r.message, `message ${i} from ${runId} with "quotes" and = signs`);
    assert.equal(r.level, c.level, `case ${i}`);
    assert.equal(r.source, c.src);
    assert.ok(String(r.host).startsWith(shortHost), `host ${String(r.host)}`);
    const ts = Date.parse(String(r.timestamp));
    assert.ok(Math.abs(ts - t0) < 120_000, `timestamp ${String(r.timestamp)} is about now`);
    assert.equal(r.metadata?.facility, c.facility);
    assert.equal(r.metadata?.severity, c.severity);
    assert.equal(r.metadata?.pid, 4242);
    if (c.sd) assert.deepEqual((r.metadata?.sd as Record<string, unknown>)['ex@32473'], c.sd);
  }
  const st = (await sourceRow(server.url, 'sl-tcp')).status ?? {};
  assert.ok(Number(st.octet_counted_frames) >= 2 && Number(st.trailer_frames) >= 2, JSON.stringify(st));
});

test('TCP framing: an octet-counted message with line breaks is one record; NUL trailers; limits are counted, never silent', { timeout: 60_000 }, async () => {
  const port = await portOf(server.url, 'sl-small');
  const multi = `<11>1 ${new Date().toISOString()} web1 trace-${runId} - - - Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad`;
  const big = `<14>1 - web1 big-${runId} - - - ${'x'.repeat(400)}`;
  await tcpSend(port, frame(multi) + frame(big) + `<14>1 - web1 nul-${runId} - - - one\0<14>1 - web1 nul-${runId} - - - two\0` + frame(`<13>no-header line ${runId}`));
  const row = await waitReceived(server.url, 'sl-small', 4);
  assert.equal(row.dropped.message_too_long, 1, JSON.stringify(row));
  const tb = await rows(server.url, `service:trace-${runId}`);
  assert.equal(tb.length, 1);
  assert.equal(tb[0]?.message, 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad');
  assert.equal(tb[0]?.level, 'ERROR');
  assert.equal((await rows(server.url, `service:nul-${runId}`)).length, 2);
  assert.equal((await rows(server.url, `service:big-${runId}`)).length, 0);
  const dflt = await rows(server.url, `"no-header line ${runId}"`);
  assert.equal(dflt[0]?.service, 'small-default', 'the source\'s service option names records that name none');

  // maxConnections 2: a third connection is refused and counted; idle connections are closed after idleTimeoutMs.
  const open = (): Promise<Socket> => new Promise((resolve, reject) => { const s = tcpConnect({ port, host: '127.0.0.1' }, () => resolve(s)); s.on('error', reject); });
  const a = await open(), b = await open();
  const closed = (s: Socket) => new Promise<void>((r) => { if (s.destroyed) r(); else s.once('close', () => r()); });
  a.on('error', () => undefined); b.on('error', () => undefined);
  const c = await open();
  c.on('error', () => undefined);
  await closed(c);
  await Promise.all([closed(a), closed(b)]); // idle for 400 ms
  const after = await sourceRow(server.url, 'sl-small');
  assert.equal(after.dropped.connection_limit, 1, JSON.stringify(after));
  assert.ok(Number(after.status?.idle_closed) >= 2, JSON.stringify(after.status));
});

test('rsyslog forwards to logsift: omfwd over TCP octet-counted (RFC 5424) and over UDP (RFC 3164)', { timeout: 90_000 }, async (t) => {
  const rsyslogd = tool('rsyslogd', ['/usr/sbin/rsyslogd']);
  if (!rsyslogd || !logger) { t.skip('SKIPPED: rsyslogd or logger is not installed (apt-get install rsyslog bsdutils)'); return; }
  const work = tempDir('rsyslog');
  const inPort = await freePort();
  const [tcp, udp] = [await portOf(server.url, 'sl-tcp'), await portOf(server.url, 'sl-udp')];
  // No default modules: no imuxsock (/dev/log) and no imklog; state in a temp work directory; one TCP input.
  const conf = `global(workDirectory="${work}" processInternalMessages="on")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="${inPort}" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omfwd" target="127.0.0.1" port="${tcp}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
  action(type="omfwd" target="127.0.0.1" port="${udp}" protocol="udp" template="RSYSLOG_TraditionalForwardFormat")
}
`;
  writeFileSync(join(work, 'rsyslog.conf'), conf);
  const devLogBefore = existsSync('/dev/log');
  const check = spawnSync(rsyslogd, ['-N1', '-f', join(work, 'rsyslog.conf')], { encoding: 'utf8' });
  assert.equal(check.status, 0, `rsyslogd -N1: ${check.stderr}`);
  const before = [(await sourceRow(server.url, 'sl-tcp')).received, (await sourceRow(server.url, 'sl-udp')).received];
  const child = spawn(rsyslogd, ['-n', '-f', join(work, 'rsyslog.conf'), '-i', join(work, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  try {
    // Wait (bounded) until rsyslog listens, then feed it three messages with logger over TCP.
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await new Promise<boolean>((r) => { const s = tcpConnect({ port: inPort, host: '127.0.0.1' }, () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(up, `rsyslogd did not listen on ${inPort}: ${out}`);
    for (let i = 0; i < 3; i++) {
      run(logger, ['-n', '127.0.0.1', '-P', String(inPort), '-T', '--rfc5424', '--octet-count', '-p', i === 0 ? 'local0.err' : 'user.info', '-t', `rs${i}-${runId}`, '--id=77', '--sd-id', 'ex@32473', '--sd-param', `n="${i}"`, `via rsyslog ${i} ${runId}`]);
    }
    await waitReceived(server.url, 'sl-tcp', before[0]! + 3, 30_000);
    await waitReceived(server.url, 'sl-udp', before[1]! + 3, 30_000);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => { if (child.exitCode !== null) r(undefined); else child.once('exit', r); });
  }
  assert.equal(existsSync('/dev/log'), devLogBefore, 'rsyslogd left /dev/log alone');
  for (let i = 0; i < 3; i++) {
    const found = await rows(server.url, `service:rs${i}-${runId}`);
    assert.equal(found.length, 2, `rs${i}: once over TCP and once over UDP: ${JSON.stringify(found)}; UDP: ${JSON.stringify(await rows(server.url, `source:sl-udp "rsyslog ${i}"`))}`);
    const byTcp = found.find((r) => r.source === 'sl-tcp')!, byUdp = found.find((r) => r.source === 'sl-udp')!;
    for (const r of [byTcp, byUdp]) {
      assert.equal(r.message, `via rsyslog ${i} ${runId}`);
      assert.equal(r.level, i === 0 ? 'ERROR' : 'INFO');
      assert.equal(r.metadata?.facility, i === 0 ? 'local0' : 'user');
      assert.equal(r.metadata?.pid, 77);
      assert.ok(String(r.host).startsWith(shortHost), String(r.host));
    }
    assert.deepEqual((byTcp.metadata?.sd as Record<string, unknown>)['ex@32473'], { n: String(i) }, 'RFC 5424 keeps the structured data');
  }
});

test('TLS (RFC 5425) with a self-signed certificate, and mutual TLS refusing a client without a certificate', { timeout: 90_000 }, async (t) => {
  const openssl = tool('openssl', ['/usr/bin/openssl']);
  if (!openssl) { t.skip('SKIPPED: openssl is not installed (apt-get install openssl)'); return; }
  const certDir = tempDir('syslog-tls');
  const [cert, key] = [join(certDir, 'cert.pem'), join(certDir, 'key.pem')];
  run(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
  const tlsServer = await startServer(join(tempDir('syslog-tls-data'), 'data'), {
    wal: { flushIntervalMs: 200 },
    sources: [
      { type: 'syslog', name: 'sl-tls', protocol: 'tls', port: 0, certFile: cert, keyFile: key },
      { type: 'syslog', name: 'sl-mtls', protocol: 'tls', port: 0, certFile: cert, keyFile: key, caFile: cert, requestClientCert: true },
    ],
  });
  try {
    const ca = readFileSync(cert);
    const send = (port: number, data: string, clientCert: boolean) => new Promise<void>((resolve, reject) => {
      const s = tlsConnect({ port, host: '127.0.0.1', ca, servername: 'localhost', ...(clientCert ? { cert: readFileSync(cert), key: readFileSync(key) } : {}) }, () => s.end(data));
      s.on('error', reject);
      s.on('close', () => resolve());
    });
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 120_000; // a whole minute, two minutes ago
    const at = (i: number) => new Date(base + i * 1000 + 500).toISOString();
    const msgs = Array.from({ length: 50 }, (_, i) => `<${i % 2 ? 14 : 12}>1 ${at(i)} web1 tls-${runId} ${100 + i} - [m@1 i="${i}"] tls message ${i}`);
    await send(await portOf(tlsServer.url, 'sl-tls'), msgs.map(frame).join(''), false);
    const mport = await portOf(tlsServer.url, 'sl-mtls');
    await send(mport, frame(`<14>1 - web1 mtls-${runId} - - - with a client certificate`), true);
    // Without a client certificate the handshake fails (the client may see it only after its first write).
    await send(mport, frame(`<14>1 - web1 mtls-${runId} - - - without one`), false).catch(() => undefined);
    await waitReceived(tlsServer.url, 'sl-tls', 50);
    await waitReceived(tlsServer.url, 'sl-mtls', 1);
    const found = await rows(tlsServer.url, `service:tls-${runId} | sort by timestamp asc`);
    assert.equal(found.length, 50);
    found.forEach((r, i) => {
      assert.equal(r.message, `tls message ${i}`);
      assert.equal(r.level, i % 2 ? 'INFO' : 'WARN');
      assert.equal(r.timestamp, at(i).replace('.500Z', '.5Z'));
      assert.equal(r.metadata?.pid, 100 + i);
      assert.deepEqual(r.metadata?.sd, { 'm@1': { i: String(i) } });
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await sourceRow(tlsServer.url, 'sl-mtls')).received, 1);
    assert.equal((await rows(tlsServer.url, `service:mtls-${runId}`)).length, 1);
    const st = (await sourceRow(tlsServer.url, 'sl-mtls')).status ?? {};
    assert.ok(Number(st.tls_handshake_errors) >= 1 || Number(st.connection_errors) >= 1, JSON.stringify(st));
  } finally {
    await tlsServer.stop();
  }
});

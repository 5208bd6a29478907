// The email receiver against a real SMTP server (smtp-server) on loopback: STARTTLS with a self-signed certificate
// made by openssl, authentication checked by the server, the raw RFC 822 message read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createEmailReceiver, type EmailConfig } from './email.js';
import { HOSTILE_SAMPLE, resolvedAlert, sampleAlert, sampleNotification } from './test-support.js';

const USER = 'alerts@example.test';
const PASSWORD = 'p@ss word 123';

interface Received { raw: string; from: string; to: string[]; secure: boolean; user: unknown }
interface Smtp { port: number; received: Received[]; close(): Promise<void> }
interface Tls { key: string; cert: string; certFile: string }

/** A self-signed certificate for 127.0.0.1, or undefined when openssl is not installed. */
function makeCert(dir: string): Tls | undefined {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe', timeout: 20_000 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

async function startSmtp(tls: Tls | undefined, rcptCode?: number): Promise<Smtp> {
  const received: Received[] = [];
  const server = new SMTPServer({
    secure: false, ...(tls ? { key: tls.key, cert: tls.cert } : { hideSTARTTLS: true }), allowInsecureAuth: tls === undefined, authMethods: ['PLAIN', 'LOGIN'], logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === USER && auth.password === PASSWORD) return cb(null, { user: auth.username });
      return cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, cb) {
      if (rcptCode !== undefined) return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: rcptCode }));
      return cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        received.push({ raw: Buffer.concat(chunks).toString('utf8'), from, to: session.envelope.rcptTo.map((r) => r.address), secure: session.secure, user: session.user });
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function config(port: number, extra: Partial<EmailConfig> = {}): EmailConfig {
  return {
    name: 'mail', type: 'email', host: '127.0.0.1', port, secure: false, requireTLS: true, tlsInsecureSkipVerify: false,
    user: USER, passwordEnv: 'SMTP_PASSWORD', from: 'logsift@example.test', to: ['oncall@example.test', 'lead@example.test'],
    subject: '{title}: {summary}', timeoutMs: 5000, maxAlerts: 50, maxSamples: 10, maxSampleChars: 500, ...extra,
  };
}

const env = { SMTP_PASSWORD: PASSWORD };

/** The message's headers (unfolded) and its decoded text body. */
function parseRaw(raw: string): { headers: string; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const encoded = raw.slice(split + 4);
  const cte = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  if (cte === 'base64') return { headers, body: Buffer.from(encoded, 'base64').toString('utf8') };
  if (cte === 'quoted-printable') {
    const bytes = encoded.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return { headers, body: Buffer.from(bytes, 'latin1').toString('utf8') };
  }
  return { headers, body: encoded };
}

const tmp = mkdtempSync(join(tmpdir(), 'logsift-email-test-'));
const tls = makeCert(tmp);
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const tlsNote = tls ? 'STARTTLS with a self-signed certificate' : 'WITHOUT STARTTLS (openssl not found: install openssl to test TLS)';
if (!tls) console.warn(`email.test: openssl not found; the SMTP tests run ${tlsNote}`);

test(`email: ${tlsNote}, authenticated: the server receives subject, recipients and a text body with description, window, samples and link`, async () => {
  const smtp = await startSmtp(tls);
  try {
    const receiver = createEmailReceiver(config(smtp.port, tls ? { tlsCaFile: tls.certFile } : { requireTLS: false }), { env });
    const n = sampleNotification({ alerts: [sampleAlert({ annotations: { summary: 'disk full\r\nBcc: evil@example.com', description: 'checkout logged 120 errors in 10 minutes.' } })] });
    assert.deepEqual(await receiver.send(n, new AbortController().signal), { ok: true });

    assert.equal(smtp.received.length, 1);
    const got = smtp.received[0]!;
    assert.equal(got.secure, tls !== undefined, 'the session was upgraded with STARTTLS');
    assert.equal(got.user, USER);
    assert.equal(got.from, 'logsift@example.test');
    assert.deepEqual(got.to, ['oncall@example.test', 'lead@example.test'], 'only the configured recipients');
    const { headers, body } = parseRaw(got.raw);
    assert.match(headers, /^Subject: \[FIRING:1\] HighErrorRate service=checkout: disk full Bcc: evil@example\.com$/m);
    assert.doesNotMatch(headers, /^Bcc:/im, 'a line break in log-derived text cannot add a header');
    assert.match(headers, /^To: oncall@example\.test, lead@example\.test$/m);
    assert.match(headers, /^Content-Type: text\/plain/m);
    assert.match(headers, /^X-Logsift-Idempotency-Key: idem-7f3a9c$/m);
    assert.match(body, /Description: checkout logged 120 errors in 10 minutes\./);
    assert.match(body, /Window: 2024-05-01T09:50:00\.000Z to 2024-05-01T10:00:00\.000Z/);
    assert.ok(body.includes(`    | ${HOSTILE_SAMPLE}`), 'the sample is plain text');
    assert.ok(body.includes(`Logs: ${n.alerts[0]!.generatorURL}`));
  } finally {
    await smtp.close();
  }
});

test(`email: a resolved notification says resolved (${tlsNote})`, async () => {
  const smtp = await startSmtp(tls);
  try {
    const receiver = createEmailReceiver(config(smtp.port, tls ? { tlsCaFile: tls.certFile, subject: '[{status}] {alertname}' } : { requireTLS: false, subject: '[{status}] {alertname}' }), { env });
    assert.deepEqual(await receiver.send(sampleNotification({ alerts: [resolvedAlert()] }), new AbortController().signal), { ok: true });
    const { headers, body } = parseRaw(smtp.received[0]!.raw);
    assert.match(headers, /^Subject: \[RESOLVED\] HighErrorRate$/m);
    assert.match(body, /Resolved: every alert in this group has ended\./);
    assert.match(body, /Ended: 2024-05-01T10:20:00\.000Z/);
  } finally {
    await smtp.close();
  }
});

test('email: a wrong password is rejected by the server and not retried', async () => {
  const smtp = await startSmtp(tls);
  try {
    const receiver = createEmailReceiver(config(smtp.port, tls ? { tlsCaFile: tls.certFile } : { requireTLS: false }), { env: { SMTP_PASSWORD: 'wrong' } });
    const result = await receiver.send(sampleNotification(), new AbortController().signal);
    assert.ok(!result.ok && !result.retryable && /535/.test(result.error), JSON.stringify(result));
    assert.equal(smtp.received.length, 0);
  } finally {
    await smtp.close();
  }
});

test('email: an untrusted certificate fails the STARTTLS upgrade, not retryable', { skip: tls ? false : 'openssl not found: install openssl to test STARTTLS' }, async () => {
  const smtp = await startSmtp(tls);
  try {
    const result = await createEmailReceiver(config(smtp.port), { env }).send(sampleNotification(), new AbortController().signal);
    assert.ok(!result.ok && !result.retryable && /certificate/i.test(result.error), JSON.stringify(result));
    assert.equal(smtp.received.length, 0);
  } finally {
    await smtp.close();
  }
});

test('email: recipients refused with 4xx are retryable, with 5xx are not', async () => {
  for (const [code, retryable] of [[451, true], [550, false]] as const) {
    const smtp = await startSmtp(tls, code);
    try {
      const result = await createEmailReceiver(config(smtp.port, tls ? { tlsCaFile: tls.certFile } : { requireTLS: false }), { env }).send(sampleNotification(), new AbortController().signal);
      assert.ok(!result.ok && result.retryable === retryable && result.error.includes(String(code)), `${code}: ${JSON.stringify(result)}`);
    } finally {
      await smtp.close();
    }
  }
});

test('email: a server that never greets gives a retryable error within timeoutMs', async () => {
  const sockets = new Set<Socket>();
  const silent = createTcpServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
  try {
    const { port } = silent.address() as AddressInfo;
    const started = performance.now();
    const result = await createEmailReceiver(config(port, { timeoutMs: 300 }), { env }).send(sampleNotification(), new AbortController().signal);
    const elapsed = performance.now() - started;
    assert.ok(!result.ok && result.retryable, JSON.stringify(result));
    assert.ok(elapsed < 1500, `took ${elapsed} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});

test('email: requireTLS against a server that offers no STARTTLS refuses to send (no plaintext credentials), not retryable', async () => {
  const smtp = await startSmtp(undefined);
  try {
    const result = await createEmailReceiver(config(smtp.port, { requireTLS: true }), { env }).send(sampleNotification(), new AbortController().signal);
    assert.ok(!result.ok && !result.retryable, JSON.stringify(result));
    assert.equal(smtp.received.length, 0);
  } finally {
    await smtp.close();
  }
});

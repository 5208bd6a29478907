// The Alertmanager receiver against a real Prometheus Alertmanager started on loopback: a firing alert shows up in
// GET /api/v2/alerts with its labels, the resolved one leaves it. Skipped (loudly) when the binary is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAlertmanagerReceiver, type AlertmanagerConfig } from './alertmanager.js';
import { resolvedAlert, sampleAlert, sampleNotification } from './test-support.js';

const SKIP = 'SKIPPED: Prometheus Alertmanager is not installed; install it with `apt-get install -y prometheus-alertmanager` (or set LOGSIFT_ALERTMANAGER_BIN)';

function findBinary(): string | undefined {
  const candidates = process.env.LOGSIFT_ALERTMANAGER_BIN ? [process.env.LOGSIFT_ALERTMANAGER_BIN] : [];
  for (const dir of ['/usr/bin', ...(process.env.PATH ?? '').split(delimiter)]) {
    if (dir) candidates.push(join(dir, 'prometheus-alertmanager'), join(dir, 'alertmanager'));
  }
  return candidates.find((p) => {
    try { accessSync(p, constants.X_OK); return true; } catch { return false; } // absent or not executable: try the next
  });
}

const binary = findBinary();
if (!binary) console.warn(`\n*** alertmanager.test: ${SKIP} ***\n`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Running { url: string; child: ChildProcess; log: () => string }

async function startAlertmanager(bin: string, dir: string): Promise<Running> {
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
  const port = await freePort();
  const child = spawn(bin, [`--config.file=${configFile}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { output += c.toString(); });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}: ${output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return { url, child, log: () => output };
    } catch {
      // not listening yet: the loop is bounded (15 s)
    }
    await sleep(100);
  }
  throw new Error(`alertmanager not ready within 15 s: ${output}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

interface GettableAlert { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL?: string; status: { state: string } }

async function listAlerts(url: string): Promise<GettableAlert[]> {
  const res = await fetch(`${url}/api/v2/alerts`);
  assert.equal(res.status, 200);
  return (await res.json()) as GettableAlert[];
}

function config(url: string): AlertmanagerConfig {
  return { name: 'am', type: 'alertmanager', url: `${url}/`, headers: {}, headersFromEnv: {}, timeoutMs: 5000, maxSamples: 5, maxSampleChars: 500 };
}

test('alertmanager: a firing alert is listed by a real Alertmanager with its labels, and leaves the list once resolved', { skip: binary ? false : SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsift-alertmanager-test-'));
  let am: Running | undefined;
  try {
    am = await startAlertmanager(binary!, dir);
    const receiver = createAlertmanagerReceiver(config(am.url));
    const labels = { alertname: 'HighErrorRate', service: 'checkout', severity: 'high', 'http.status': '500' };
    const firing = sampleAlert({ labels });
    const sent = await receiver.send(sampleNotification({ alerts: [firing] }), new AbortController().signal);
    assert.deepEqual(sent, { ok: true }, am.log());

    const listed = (await listAlerts(am.url)).filter((a) => a.labels.alertname === 'HighErrorRate');
    assert.equal(listed.length, 1, JSON.stringify(listed));
    const got = listed[0]!;
    assert.deepEqual(got.labels, { alertname: 'HighErrorRate', service: 'checkout', severity: 'high', http_status: '500' });
    assert.equal(got.annotations.summary, firing.annotations.summary);
    assert.equal(got.annotations.window_start, firing.windowStart);
    assert.equal(got.annotations.samples, firing.samples.join('\n'));
    assert.equal(got.generatorURL, firing.generatorURL);
    assert.equal(Date.parse(got.startsAt), Date.parse(firing.startsAt));
    assert.equal(got.status.state, 'active');

    const resolved = await receiver.send(sampleNotification({ alerts: [resolvedAlert({ labels })] }), new AbortController().signal);
    assert.deepEqual(resolved, { ok: true }, am.log());
    const after = (await listAlerts(am.url)).filter((a) => a.labels.alertname === 'HighErrorRate');
    assert.deepEqual(after, [], 'a resolved alert (endsAt in the past) is no longer listed');
  } finally {
    if (am) await stop(am.child);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('alertmanager: an alert Alertmanager refuses (no labels) is a 400, not retryable; a stopped Alertmanager is retryable', { skip: binary ? false : SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsift-alertmanager-test-'));
  let am: Running | undefined;
  try {
    am = await startAlertmanager(binary!, dir);
    const receiver = createAlertmanagerReceiver(config(am.url));
    const refused = await receiver.send(sampleNotification({ alerts: [sampleAlert({ labels: {} })] }), new AbortController().signal);
    assert.ok(!refused.ok && !refused.retryable && /HTTP 400/.test(refused.error), JSON.stringify(refused));

    await stop(am.child);
    const down = await receiver.send(sampleNotification(), new AbortController().signal);
    assert.ok(!down.ok && down.retryable, JSON.stringify(down));
  } finally {
    if (am) await stop(am.child);
    rmSync(dir, { recursive: true, force: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import pino from 'pino';
import { ConfigError } from '../../errors.js';
import { buildSources } from '../registry.js';
import type { SourceBatch, SourceContext, SourceIngestResult } from '../source.js';
import { decodeFrames } from './framing.js';
import './index.js';

test('options: port and protocol are required, defaults are filled in, tls needs a certificate, unknown keys are refused', () => {
  const bad: [unknown, string][] = [
    [{ type: 'syslog', protocol: 'tcp' }, 'sources.0'],
    [{ type: 'syslog', port: 514 }, 'sources.0'],
    [{ type: 'syslog', protocol: 'tcp', port: 514, framing: 'lf' }, 'sources.0.framing'],
    [{ type: 'syslog', protocol: 'tcp', port: 514, maxMesageBytes: 1 }, 'sources.0.maxMesageBytes'],
    [{ type: 'syslog', protocol: 'tls', port: 6514 }, 'sources[name=syslog]'],
    [{ type: 'syslog', protocol: 'tls', port: 6514, certFile: '/nonexistent.pem', keyFile: '/nonexistent.key' }, 'sources[name=syslog].certFile'],
  ];
  for (const [cfg, key] of bad) {
    assert.throws(() => buildSources([cfg]), (e: unknown) => e instanceof ConfigError && e.key === key, JSON.stringify(cfg));
  }
  const [s] = buildSources([{ type: 'syslog', protocol: 'udp', port: 0 }]);
  assert.equal(s?.name, 'syslog');
  assert.equal(buildSources([]).some((x) => x.type === 'syslog'), false, 'off until configured');
});

function fakeCtx(): { ctx: SourceContext; got: string[]; drops: Record<string, number> } {
  const got: string[] = [];
  const drops: Record<string, number> = {};
  const ctx: SourceContext = {
    log: pino({ level: 'silent' }),
    ingest: async (b: SourceBatch): Promise<SourceIngestResult> => {
      got.push(...decodeFrames(b.body).map((f) => f.toString()));
      return { accepted: 0, rejected: 0, skipped: 0, reasons: {}, itemErrors: [] };
    },
    overloaded: () => undefined,
    retryAfterSeconds: 1,
    dropped: (r, n = 1) => { drops[r] = (drops[r] ?? 0) + n; },
    reserve: () => () => undefined,
    limits: { maxBodyBytes: 16 << 20, maxDecompressedBytes: 64 << 20 },
    stateDir: '/nonexistent/logsift-test-state',
    now: () => new Date(),
    lastLsn: () => 0,
    storedAfter: () => Promise.resolve(false),
  };
  return { ctx, got, drops };
}

const until = async (cond: () => boolean) => { for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10)); };

test('UDP: one datagram is one message (trailing LF or NUL dropped); an over-long one is counted', async () => {
  const [src] = buildSources([{ type: 'syslog', protocol: 'udp', port: 0, maxMessageBytes: 64, batchWaitMs: 5 }]);
  const f = fakeCtx();
  await src!.start!(f.ctx);
  try {
    const port = Number(src!.status!().port);
    const sock = createSocket('udp4');
    for (const m of ['<13>one\n', '<13>two\nlines\0', `<13>${'x'.repeat(100)}`]) {
      await new Promise<void>((r) => sock.send(m, port, '127.0.0.1', () => r()));
    }
    sock.close();
    await until(() => f.got.length >= 2 && f.drops.message_too_long === 1);
    assert.deepEqual(f.got, ['<13>one', '<13>two\nlines']);
    assert.deepEqual(f.drops, { message_too_long: 1 });
    assert.equal(src!.status!().datagrams, 3);
  } finally {
    await src!.stop!();
  }
});

test('TCP: a partial message at the end of a connection is stored (LF framing); stop drains what was read', async () => {
  const [src] = buildSources([{ type: 'syslog', protocol: 'tcp', port: 0, batchWaitMs: 10_000 }]);
  const f = fakeCtx();
  await src!.start!(f.ctx);
  const port = Number(src!.status!().port);
  await new Promise<void>((resolve) => {
    const s = connect({ port, host: '127.0.0.1' }, () => s.end('<13>a\n<13>b'));
    s.on('close', () => resolve());
  });
  await until(() => Number(src!.status!().messages) === 2);
  await src!.stop!(); // the batch waits 10 s: stop must send it
  assert.deepEqual(f.got, ['<13>a', '<13>b']);
});

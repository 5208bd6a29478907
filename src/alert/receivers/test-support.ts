// Test fixtures for the receiver tests: a loopback HTTP server that records requests and answers as told, and a
// notification whose sample line is hostile markup.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert, Notification } from '../model.js';

export interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the server does with the n-th request (0-based): answer with a status and body, or never answer. */
export type Responder = (req: CapturedRequest, n: number) => { status: number; body?: string } | 'hang';

export interface LoopbackServer {
  url: string;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 (a free port). `close` also drops connections left hanging. */
export async function startLoopbackServer(respond: Responder): Promise<LoopbackServer> {
  const requests: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const captured = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(captured);
      const answer = respond(captured, requests.length - 1);
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A hostile sample line: it must arrive escaped (Slack) or as plain data (JSON, text mail), never as markup. */
export const HOSTILE_SAMPLE = '<img src=x onerror=alert(1)> & <!channel> ```';

export function sampleAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    fingerprint: 'f1a2b3c4d5e6',
    labels: { alertname: 'HighErrorRate', service: 'checkout', anomaly_type: 'error_rate', severity: 'high' },
    annotations: { summary: 'Error rate of checkout is 12% (usual 0.4%)', description: 'checkout logged 120 errors in 10 minutes, 30 times its usual rate.' },
    status: 'firing',
    startsAt: '2024-05-01T10:00:00.000Z',
    generatorURL: 'http://127.0.0.1:8080/#/logs?service=checkout&from=2024-05-01T09:50:00Z',
    samples: ['ERROR payment declined for order 42', HOSTILE_SAMPLE],
    windowStart: '2024-05-01T09:50:00.000Z',
    windowEnd: '2024-05-01T10:00:00.000Z',
    ...overrides,
  };
}

export function sampleNotification(overrides: Partial<Notification> = {}): Notification {
  const alerts = overrides.alerts ?? [sampleAlert()];
  return {
    idempotencyKey: 'idem-7f3a9c',
    receiver: 'ops',
    groupKey: '{}:{alertname="HighErrorRate", service="checkout"}',
    groupLabels: { alertname: 'HighErrorRate', service: 'checkout' },
    commonLabels: { alertname: 'HighErrorRate', service: 'checkout', anomaly_type: 'error_rate', severity: 'high' },
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    externalURL: 'http://127.0.0.1:8080',
    ...overrides,
  };
}

/** The resolved twin of `sampleAlert`. */
export function resolvedAlert(overrides: Partial<Alert> = {}): Alert {
  return sampleAlert({ status: 'resolved', endsAt: '2024-05-01T10:20:00.000Z', ...overrides });
}

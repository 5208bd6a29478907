// Micro benchmark (not a test): lines/s of normalizeLine for typical JSON, logfmt and plain lines on one core.
// Run: node dist/normalize/normalize.bench.js [seconds-per-case, default 1]
import { normalizeLine } from './normalize.js';
import { defaultNormalizeOptions } from './options.js';

const N = 1000;
const seconds = Number(process.argv[2] ?? 1);

function jsonLine(i: number): string {
  return JSON.stringify({
    timestamp: `2024-03-0${1 + (i % 9)}T12:${String(i % 60).padStart(2, '0')}:05.123456Z`, level: i % 10 === 0 ? 'error' : 'info',
    service: 'checkout-api', message: `order ${100000 + i} paid by card in ${i % 300} ms`, user_id: `u-${i % 977}`,
    ip: `10.0.${i % 256}.${(i * 7) % 256}`, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', http: { method: 'POST', status: 200 },
  });
}
const logfmtLine = (i: number): string =>
  `ts=2024-03-01T12:00:${String(i % 60).padStart(2, '0')}Z level=info svc=billing msg="invoice ${i} sent" user=u-${i % 977} duration_ms=${i % 300}`;
const plainLine = (i: number): string =>
  `2024-03-01 12:00:${String(i % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')} INFO [worker-${i % 8}] com.example.billing.Invoice: invoice ${i} sent to customer ${i % 977}`;

function bench(name: string, make: (i: number) => string): void {
  const lines = Array.from({ length: N }, (_, i) => make(i));
  const bytes = lines.reduce((s, l) => s + Buffer.byteLength(l), 0) / N;
  const ctx = { receivedAt: new Date('2024-03-01T12:00:00Z') };
  for (let i = 0; i < 20_000; i++) normalizeLine(lines[i % N] ?? '', ctx, defaultNormalizeOptions); // warm up
  let count = 0;
  let failed = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < until) {
    for (const line of lines) if (!normalizeLine(line, ctx, defaultNormalizeOptions).ok) failed++;
    count += N;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${name.padEnd(7)} ${Math.round(count / elapsed).toLocaleString('en-US').padStart(10)} lines/s  (${Math.round(bytes)} bytes/line${failed ? `, ${failed} rejected` : ''})`);
}

bench('json', jsonLine);
bench('logfmt', logfmtLine);
bench('plain', plainLine);

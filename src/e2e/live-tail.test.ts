// GET /api/v1/tail/stream: server-sent events of new matching records, bounded by ui.maxLiveTails, freed on disconnect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { flush, post, startServer, tempDir } from './harness.js';

/** Reads server-sent events from a fetch response until `until` says enough. */
async function readEvents(res: Response, until: (events: { event: string; data: Record<string, unknown> }[]) => boolean): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  let buf = '';
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let cut: number;
    while ((cut = buf.indexOf('\n\n')) !== -1) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (ev && data) events.push({ event: ev, data: JSON.parse(data) as Record<string, unknown> });
    }
  }
  return events;
}

test('live tail streams matching records as events, refuses pipes and a second stream over ui.maxLiveTails, and frees the slot on disconnect', { timeout: 60_000 }, async () => {
  const server = await startServer(join(tempDir('live-tail'), 'data'), { ui: { maxLiveTails: 1, liveTailPollMs: 100 } });
  try {
    const piped = await fetch(`${server.url}/api/v1/tail/stream?q=${encodeURIComponent('x | stats count()')}`);
    assert.equal(piped.status, 400);
    const bad = await fetch(`${server.url}/api/v1/tail/stream?q=${encodeURIComponent('a (b')}`);
    assert.equal(bad.status, 400);

    const ctl = new AbortController();
    const res = await fetch(`${server.url}/api/v1/tail/stream?q=${encodeURIComponent('service:api level:error')}`, { signal: ctl.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const second = await fetch(`${server.url}/api/v1/tail/stream?q=x`);
    assert.equal(second.status, 429);
    assert.equal(((await second.json()) as { error: { code: string } }).error.code, 'http_overloaded');

    const lines = [
      { service: 'api', level: 'error', message: 'first match' }, { service: 'api', level: 'info', message: 'not an error' },
      { service: 'web', level: 'error', message: 'other service' }, { service: 'api', level: 'error', message: 'second match' },
    ].map((l) => JSON.stringify(l)).join('\n');
    assert.equal((await post(`${server.url}/api/v1/logs`, lines, { 'content-type': 'application/x-ndjson' })).status, 200);
    await flush(server.url);
    const events = await readEvents(res, (ev) => ev.some((e) => e.event === 'rows'));
    assert.equal(events[0]?.event, 'ready');
    const rows = events.find((e) => e.event === 'rows')?.data.rows as { message: string }[];
    assert.deepEqual(rows.map((r) => r.message), ['first match', 'second match'], 'only matches, oldest first');
    ctl.abort();

    // The slot is freed once the server sees the client gone.
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline) {
      const again = await fetch(`${server.url}/api/v1/tail/stream?q=x`);
      status = again.status;
      await again.body?.cancel();
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200);
  } finally {
    await server.stop();
  }
});

// The dashboard in a real browser (Debian's Chromium, headless, via playwright-core) against a real server: search,
// histogram and rows, a record and the lines around it, zoom, completion, an anomaly to its logs, a silence created
// and expired, a dead letter replayed, live tail, the API key prompt, and hostile log text rendered as text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchBrowser, type Browser } from './browser.js';
import { flush, getJson, post } from './harness.js';
import { INJECTION, startUiFixture, type UiFixture } from './ui-fixture.js';
import { UI_CSP } from '../api/routes-ui.js';

// Browser globals used in callbacks that run in the page: the root tsconfig has no DOM lib, so they are declared
// here, module-local, with just what the callbacks touch.
interface PageEl { id?: string; textContent: string | null; querySelector(s: string): PageEl | null }
declare const document: {
  activeElement: PageEl | null; body: { appendChild(e: PageEl): void }; documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(s: string): PageEl | null; querySelectorAll(s: string): Iterable<PageEl> & { length: number }; createElement(tag: string): PageEl;
};
declare const location: { hash: string };
declare const window: unknown;
declare const sessionStorage: { getItem(k: string): string | null };

const missing = chromiumMissing();
if (missing) console.warn(`SKIP ui.test: ${missing}`);

describe('dashboard', { skip: missing || false, timeout: 300_000 }, () => {
  let fx: UiFixture;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const ui = (hash: string) => `${fx.server.url}/ui/${hash}`;
  /** A fresh page load: a hash-only change would keep the previous view's rows on screen while the new ones load. */
  const open = async (hash: string, p: Page = page) => { await p.goto('about:blank'); await p.goto(ui(hash)); };
  const hashParams = () => new URLSearchParams(new URL(page.url()).hash.replace(/^#\/[^?]*\??/, ''));

  before(async () => {
    fx = await startUiFixture();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await fx?.stop();
  });

  test('the UI is served under /ui/ with a strict CSP, nosniff, no referrer, immutable hashed assets and a client-route fallback', async () => {
    const index = await fetch(`${fx.server.url}/ui/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-security-policy'), UI_CSP);
    assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(index.headers.get('referrer-policy'), 'no-referrer');
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    const html = await index.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in index.html');
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');
    const js = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(js, html);
    const asset = await fetch(`${fx.server.url}${js}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await fetch(`${fx.server.url}/ui/search/deep/link`)).headers.get('content-type')?.startsWith('text/html'), true);
    assert.equal((await fetch(`${fx.server.url}/ui/assets/nope.js`)).status, 404);
    const bare = await fetch(`${fx.server.url}/ui`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/ui/');
  });

  test('search: the histogram counts the matches by level and the rows show them, newest first, with matches highlighted', async () => {
    await open('#/search?q=timeout&range=1h');
    await page.waitForSelector('[data-testid=result-row]');
    const api = await getJson<{ rows: { count: number }[] }>(`${fx.server.url}/api/v1/query?q=${encodeURIComponent('timeout | stats count()')}&start=${new Date(Date.now() - 3_600_000).toISOString()}`);
    const total = Number(await page.getAttribute('[data-testid=histogram]', 'data-total'));
    assert.equal(total, api.body.rows[0]?.count, 'the histogram adds up to the count of matches');
    assert.ok(total > 0);
    assert.match(await page.textContent('.histogram-legend') ?? '', /error/);
    const rows = await page.$$eval('[data-testid=result-row]', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(rows.length > 5 && rows.every((r) => /timeout/i.test(r)), rows.slice(0, 3).join('\n'));
    const marks = await page.$$eval('[data-testid=result-row] mark', (els) => els.map((e) => e.textContent));
    assert.ok(marks.length > 0 && marks.every((m) => m?.toLowerCase() === 'timeout'));
    // The view reads the rows from the newest buckets the histogram says hold them: the same rows as over the hour.
    await open('#/search?q=&range=1h');
    await page.waitForSelector('[data-testid=result-row]');
    const shown = await page.$$eval('[data-testid=result-row]', (els) => els.slice(0, 20).map((e) => (e as unknown as { dataset: { id: string } }).dataset.id));
    const newest = await getJson<{ rows: { id: string }[] }>(`${fx.server.url}/api/v1/query?q=${encodeURIComponent('| limit 20 | fields id')}&start=${new Date(Date.now() - 3_600_000).toISOString()}`);
    // As sets: the API orders rows by the timestamp's text, so ties in the order differ between two ranges (reported).
    assert.deepEqual([...shown].sort(), newest.body.rows.map((r) => r.id).sort());
    // Newest first, as the API returns them (not compared strictly: see the report on whole-second timestamps).
    const times = await page.$$eval('[data-testid=result-row] .c-time', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok((times[0] ?? '') >= (times[times.length - 1] ?? ''), 'newest first');
  });

  test('keyboard: / focuses the query box, completion offers services, Enter searches, arrows and Enter open a record, Esc closes it', async () => {
    await open('#/search?range=1h');
    await page.waitForSelector('[data-testid=result-row]');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'q');
    await page.keyboard.type('service:ap');
    await page.waitForSelector('#q-suggest li[role=option]');
    const options = await page.$$eval('#q-suggest li[role=option]', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(options.some((o) => o.includes('service:api')), options.join(', '));
    const idx = options.findIndex((o) => o.endsWith('service:api'));
    for (let i = 0; i < idx; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    assert.equal(await page.inputValue('#q'), 'service:api ');
    await page.keyboard.type('level:>=warn');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => new URLSearchParams(location.hash.split('?')[1] ?? '').get('q') === 'service:api level:>=warn');
    await page.waitForSelector('[data-testid=result-row]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=result-row] .c-service')].every((e) => e.textContent === 'api'));
    await page.focus('.vlist');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=record-detail]');
    const second = await page.textContent('[data-testid=result-row].selected .c-message');
    assert.equal(await page.textContent('[data-testid=record-message]'), second);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=record-detail]', { state: 'detached' });
  });

  test('a record opens with its fields and metadata, and "show the lines around this one" searches its service around its time', async () => {
    await open('#/search?q=slow&range=1h');
    await page.click('[data-testid=result-row] >> nth=3');
    await page.waitForSelector('[data-testid=record-detail] .metadata');
    const detail = await page.textContent('[data-testid=record-detail]') ?? '';
    assert.match(detail, /duration_ms/);
    assert.match(detail, /template_id/);
    const id = await page.evaluate(() => [...document.querySelectorAll('.kv tr')].find((tr) => tr.querySelector('th')?.textContent === 'id')?.querySelector('td')?.textContent);
    await page.click('text=Show the lines around this one');
    await page.waitForFunction(() => location.hash.includes('focus='));
    const p = hashParams();
    assert.match(p.get('q') ?? '', /^service:"(api|web|auth)"$/);
    assert.equal(new Date(p.get('end') ?? '').getTime() - new Date(p.get('start') ?? '').getTime(), 120_000);
    assert.equal(p.get('focus'), id);
    await page.waitForSelector('[data-testid=result-row].focused');
    const rows = await page.$$eval('[data-testid=result-row]', (els) => els.length);
    assert.ok(rows > 1, 'lines before and after it');
  });

  test('dragging over the histogram zooms into that range', async () => {
    await open('#/search?q=&range=1h');
    await page.waitForSelector('[data-testid=result-row]');
    const box = await page.locator('.histogram-plot .u-over').boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => location.hash.includes('start='));
    const p = hashParams();
    const span = new Date(p.get('end') ?? '').getTime() - new Date(p.get('start') ?? '').getTime();
    assert.ok(span > 5 * 60_000 && span < 20 * 60_000, `zoomed to ${span} ms`);
    assert.equal(p.get('range'), null);
  });

  test('an anomaly opens with its evidence and leads to the logs around it', async () => {
    await open('#/anomalies?range=24h&type=error_rate_spike');
    await page.waitForSelector('[data-testid=anomalies]');
    await page.click('[data-testid=anomalies] tbody tr td a');
    await page.waitForSelector('[data-testid=anomaly-detail]');
    assert.match(await page.textContent('[data-testid=anomaly-detail] h1') ?? '', /error rate spike · checkout/);
    await page.waitForSelector('[data-testid=anomaly-compare]');
    assert.match(await page.textContent('[data-testid=anomaly-samples]') ?? '', /payment provider timeout/);
    await page.click('[data-testid=anomaly-logs]');
    await page.waitForFunction(() => location.hash.startsWith('#/search'));
    assert.equal(hashParams().get('q'), 'service:"checkout"');
    await page.waitForSelector('[data-testid=result-row]');
    const rows = await page.$$eval('[data-testid=result-row] .c-message', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(rows.some((r) => r.includes('payment provider timeout')), rows.slice(0, 5).join('\n'));
  });

  test('alerts: a silence created from a firing alert is listed as active, then expired', async () => {
    await open('#/alerts');
    await page.waitForSelector('[data-testid=alerts]');
    assert.match(await page.textContent('[data-testid=alerts]') ?? '', /checkout-errors/);
    assert.match(await page.textContent('[data-testid=receivers]') ?? '', /hook/);
    await page.click('[data-testid=alerts] >> text=Silence…');
    await page.waitForSelector('[data-testid=silence-form]');
    assert.equal(await page.inputValue('[data-testid=silence-form] input >> nth=0'), 'alertname="checkout-errors", service="checkout"');
    await page.fill('[data-testid=silence-form] input >> nth=2', 'deploying a fix');
    await page.click('text=Create silence');
    await page.waitForSelector('[data-testid=silences]');
    assert.match(await page.textContent('[data-testid=alerts-message]') ?? '', /created/);
    const active = await getJson<{ silences: { id: string; matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[]; comment: string }[] }>(`${fx.server.url}/api/v1/silences?state=active`);
    assert.equal(active.body.silences.length, 1);
    assert.deepEqual(active.body.silences[0]?.matchers.map((m) => `${m.name}${m.isEqual ? '=' : '!='}${m.value}`), ['alertname=checkout-errors', 'service=checkout']);
    assert.match(await page.textContent('[data-testid=silences]') ?? '', /alertname="checkout-errors", service="checkout"/);
    assert.equal(active.body.silences[0]?.comment, 'deploying a fix');
    const id = active.body.silences[0]?.id as string;
    await page.click(`[data-silence="${id}"] >> text=Expire`);
    await page.waitForFunction((sid) => document.querySelector(`[data-silence="${sid}"]`)?.textContent?.includes('expired'), id);
    const after = await getJson<{ silences: unknown[] }>(`${fx.server.url}/api/v1/silences?state=active`);
    assert.equal(after.body.silences.length, 0);
  });

  test('dead letters: counts by reason, raw bytes shown verbatim as text, and a replay that stores the record', async () => {
    await open('#/dead-letters');
    await page.waitForSelector('[data-testid=dlq-entries]');
    assert.match(await page.textContent('[data-testid=dlq-counts]') ?? '', /missing_service\s*1/);
    assert.match(await page.textContent('[data-testid=dlq-entries]') ?? '', /\{"level":"error","service":"api","message":"cut short/);
    const row = page.locator('tr[data-dlq]', { hasText: 'replay me' });
    await row.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.waitForSelector('[data-testid=dlq-message]');
    assert.match(await page.textContent('[data-testid=dlq-message]') ?? '', /Replayed 1 entry \(1 records stored\), 0 failed/);
    const found = await getJson<{ rows: { message: string }[] }>(`${fx.server.url}/api/v1/query?q=${encodeURIComponent('"replay me"')}`);
    assert.equal(found.body.rows.length, 1);
  });

  test('hostile markup in a stored message is shown as text and runs nothing; the CSP blocks inline script', async () => {
    await open('#/search?q=onerror&range=1h');
    await page.waitForSelector('[data-testid=result-row]');
    assert.equal(await page.textContent('[data-testid=result-row] .c-message'), INJECTION);
    await page.click('[data-testid=result-row]');
    await page.waitForSelector('[data-testid=record-detail]');
    assert.equal(await page.textContent('[data-testid=record-message]'), INJECTION);
    assert.match(await page.textContent('.metadata') ?? '', /<b>bold<\/b>/);
    assert.equal(await page.$$eval('main img, main script, main b', (els) => els.length), 0, 'no element was made from log text');
    const inline = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.appendChild(s);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan ?? false;
    });
    assert.equal(inline, false, 'the CSP forbids inline scripts');
    await page.waitForTimeout(300);
    assert.deepEqual(dialogs, [], 'no alert() ran');
  });

  test('live tail streams new matching records into the table', async () => {
    await open('#/search?q=zebrafish&range=5m');
    await page.waitForSelector('[data-testid=result-summary]');
    await page.check('text=Live tail');
    await page.waitForSelector('.tail-state.ok');
    const lines = [1, 2, 3].map((i) => JSON.stringify({ level: 'info', service: 'web', message: `zebrafish sighting number ${i}` })).join('\n');
    assert.equal((await post(`${fx.server.url}/api/v1/logs`, lines, { 'content-type': 'application/x-ndjson' })).status, 200);
    await flush(fx.server.url);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=result-row]').length === 3, undefined, { timeout: 15_000 });
    assert.match(await page.textContent('[data-testid=result-row] .c-message') ?? '', /zebrafish sighting number 3/, 'newest first');
    await page.uncheck('text=Live tail');
  });

  test('services, patterns and ingest views show every service, templates and sources', async () => {
    await open('#/services?range=6h');
    await page.waitForSelector('[data-testid=services]');
    const services = await page.$$eval('[data-testid=services] tbody th', (els) => els.map((e) => e.textContent));
    assert.deepEqual([...services].sort(), ['api', 'auth', 'checkout', 'unknown', 'web'], 'unknown: the replayed dead letter');
    await open('#/patterns?range=6h&service=checkout');
    await page.waitForSelector('[data-testid=patterns]');
    assert.match(await page.textContent('[data-testid=patterns]') ?? '', /payment provider timeout after <\*>/);
    await page.click('[data-testid=patterns] >> text=payment provider timeout after <*>');
    await page.waitForFunction(() => location.hash.startsWith('#/search') && location.hash.includes('template'));
    await page.waitForSelector('[data-testid=result-row]');
    await open('#/ingest');
    await page.waitForSelector('[data-testid=sources]');
    assert.match(await page.textContent('[data-testid=sources]') ?? '', /http/);
  });

  test('a 401 asks for an API key, kept in sessionStorage and sent as a bearer header, never in the URL', async () => {
    const ctx = browser.context;
    const seen: (string | undefined)[] = [];
    await ctx.route('**/api/v1/**', async (route) => {
      const h = route.request().headers().authorization;
      seen.push(h);
      if (h !== 'Bearer s3cret-key') return route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":{"code":"http_unauthorized","message":"an API key is required"}}' });
      return route.continue();
    });
    try {
      const p2 = await ctx.newPage();
      await p2.goto(ui('#/search?q=timeout&range=1h'));
      await p2.waitForSelector('[data-testid=key-prompt]');
      await p2.fill('[data-testid=key-prompt] input', 'wrong-key');
      await p2.keyboard.press('Enter');
      await p2.waitForSelector('[data-testid=key-prompt] >> text=That key was refused');
      await p2.fill('[data-testid=key-prompt] input', 's3cret-key');
      await p2.keyboard.press('Enter');
      await p2.waitForSelector('[data-testid=result-row]');
      assert.equal(await p2.evaluate(() => sessionStorage.getItem('logsift.apiKey')), 's3cret-key');
      assert.doesNotMatch(p2.url(), /s3cret/);
      assert.ok(seen.includes('Bearer s3cret-key') && seen.includes('Bearer wrong-key'));
      await p2.close();
    } finally {
      await ctx.unroute('**/api/v1/**');
    }
  });

  test('a narrow window (420x800) keeps the search usable without horizontal scrolling', async () => {
    const p3 = await browser.context.newPage();
    await p3.setViewportSize({ width: 420, height: 800 });
    await p3.goto(ui('#/search?q=&range=1h'));
    await p3.waitForSelector('[data-testid=result-row]');
    const overflow = await p3.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `page overflows by ${overflow}px`);
    await p3.close();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});

// `npm run screenshots`: starts a server with demo data and the dashboard fixture, saves a PNG of every view at 1280x800.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchBrowser, chromiumMissing } from '../e2e/browser.js';
import { startUiFixture } from '../e2e/ui-fixture.js';

const OUT = resolve(process.env.SCREENSHOTS_DIR ?? 'docs/screenshots');
const SCHEME = process.env.SCREENSHOTS_SCHEME === 'light' ? 'light' : 'dark';

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  mkdirSync(OUT, { recursive: true });
  const fx = await startUiFixture({ demo: true });
  const browser = await launchBrowser({ width: 1280, height: 800 }, SCHEME);
  try {
    // Let the demo's hour of history land and its detectors judge it.
    await new Promise((r) => setTimeout(r, Number(process.env.SCREENSHOTS_WAIT_MS ?? 15_000)));
    await fetch(`${fx.server.url}/api/v1/admin/flush`, { method: 'POST' });
    const page = await browser.context.newPage();
    const ui = `${fx.server.url}/ui/`;
    const shot = async (name: string, hash: string, ready: string, before?: () => Promise<void>) => {
      await page.goto('about:blank'); // a fresh load: a hash change alone would show the previous rows first
      await page.goto(`${ui}${hash}`);
      await page.waitForSelector(ready, { timeout: 20_000 });
      if (before) await before();
      await page.waitForTimeout(400);
      await page.screenshot({ path: `${OUT}/${name}.png` });
      console.log(`saved ${OUT}/${name}.png`);
    };
    await shot('search', '#/search?q=&range=1h', '[data-testid=result-row]');
    await shot('search-record', '#/search?q=timeout&range=1h', '[data-testid=result-row]', async () => { await page.click('[data-testid=result-row]'); await page.waitForSelector('[data-testid=record-detail]'); });
    await shot('services', '#/services?range=1h', '[data-testid=services]');
    await shot('patterns', '#/patterns?range=1h', '[data-testid=patterns]');
    await shot('anomalies', '#/anomalies?range=1h', '[data-testid=anomalies]');
    await shot('anomaly', '#/anomalies?range=24h&type=error_rate_spike', '[data-testid=anomalies]', async () => { await page.click('[data-testid=anomalies] tbody tr td a'); await page.waitForSelector('[data-testid=anomaly-compare], [data-testid=anomaly-samples]'); });
    await shot('alerts', '#/alerts', '[data-testid=alerts]');
    await shot('dead-letters', '#/dead-letters', '[data-testid=dlq-entries]', async () => { await page.click('.raw-preview'); });
    await shot('ingest', '#/ingest', '[data-testid=sources]', async () => { await page.waitForTimeout(5500); });
    await page.setViewportSize({ width: 420, height: 800 });
    await shot('search-narrow', '#/search?q=&range=1h', '[data-testid=result-row]');
  } finally {
    await browser.close();
    await fx.stop();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });

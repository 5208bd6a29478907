// Launches Debian's Chromium headless through playwright-core for the dashboard tests, screenshots and benchmark.
import { existsSync, rmSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';
import { tempDir } from './harness.js';

export const CHROMIUM_PATH = process.env.LOGSIFT_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set LOGSIFT_CHROMIUM): the dashboard's browser tests are skipped`;
}

export interface Browser { context: BrowserContext; close: () => Promise<void> }

/** A headless Chromium with a fresh user data directory, removed on close. */
export async function launchBrowser(viewport = { width: 1280, height: 800 }, colorScheme: 'dark' | 'light' = 'dark'): Promise<Browser> {
  const dir = tempDir('chromium');
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport, colorScheme, deviceScaleFactor: 1,
  });
  return { context, close: async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}

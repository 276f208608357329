/**
 * Debian's Chromium driven by playwright-core (no downloaded browsers), headless, one per test file.
 * Missing Chromium: a failure under CI, a visible skip elsewhere.
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = process.env.YM_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const CHROMIUM_MISSING = `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set YM_CHROMIUM)`;

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenBrowser {
  browser: Browser;
  /** A fresh profile per context (no cookies shared between agents). */
  context(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<OpenBrowser> {
  // launch() gives the browser a fresh temporary profile of its own (and refuses --user-data-dir).
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    browser,
    context: (options) => browser.newContext({ locale: 'ru-RU', ...options }),
    async close() {
      await browser.close();
    },
  };
}

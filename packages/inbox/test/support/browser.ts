/**
 * Debian's Chromium driven by playwright-core (no downloaded browsers), headless, one per test file, and
 * what every browser test of the page repeats: the guard for a missing Chromium (a failure under CI, a
 * visible skip elsewhere), logging an agent in, and collecting the console's Content-Security-Policy errors.
 */
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_MISSING, HAVE_CHROMIUM } from '@ym-chats/testkit';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { it } from 'vitest';

export { CHROMIUM, CHROMIUM_MISSING, HAVE_CHROMIUM };

/**
 * True when Chromium is there. Without it, registers in the file's place a test that fails under CI (CI must
 * run the browser tests) or a visible skip elsewhere, and returns false.
 */
export function chromiumReady(): boolean {
  if (HAVE_CHROMIUM) return true;
  if (process.env.CI === 'true') {
    it('has Chromium', () => {
      throw new Error(`${CHROMIUM_MISSING}; CI must run the browser tests`);
    });
  } else {
    it.skip(`skipped: ${CHROMIUM_MISSING}`, () => undefined);
  }
  return false;
}

export interface OpenBrowser {
  browser: Browser;
  /** A fresh profile per context (no cookies shared between agents). */
  context(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<OpenBrowser> {
  // launch() gives the browser a fresh temporary profile of its own (and refuses --user-data-dir).
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return {
    browser,
    context: (options) => browser.newContext({ locale: 'ru-RU', ...options }),
    async close() {
      await browser.close();
    },
  };
}

/** Adds to `into` every console message of `page` where the browser refused something by the page's CSP. */
export function collectCspErrors(page: Page, into: string[]): void {
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) into.push(m.text());
  });
}

export interface Login {
  login: string;
  password: string;
  /** Where the new page's CSP errors go; none collected without it. */
  cspErrors?: string[];
}

/** A new page of `context` with the agent logged in on the inbox at `url`, the queue shown; 8 s per step. */
export async function loginPage(context: BrowserContext, url: string, agent: Login): Promise<Page> {
  const p = await context.newPage();
  p.setDefaultTimeout(8000);
  if (agent.cspErrors !== undefined) collectCspErrors(p, agent.cspErrors);
  await p.goto(url);
  await p.getByLabel('Логин').fill(agent.login);
  await p.getByLabel('Пароль').fill(agent.password);
  await p.getByRole('button', { name: 'Войти' }).click();
  await p.getByRole('list', { name: 'Чаты' }).waitFor();
  return p;
}

/**
 * A GET from the page's own cookie jar (`page.request`), as the page's fetch would make it. A request
 * that reuses a kept-alive connection the server is closing at that moment is reset before the server
 * reads it; a browser sends such an idempotent request again by itself, Playwright's request only when
 * told (it retries ECONNRESET alone). A CI run once failed on such a reset.
 */
export function apiGet(page: Page, url: string): ReturnType<Page['request']['get']> {
  return page.request.get(url, { maxRetries: 2 });
}

/**
 * axe-core (`@axe-core/playwright`) in Debian's Chromium on every view an agent works in: the login page,
 * the queue, an open chat, the file preview — at a desktop size and on a 390 px phone. Serious and critical
 * violations fail the test, listed by rule and element so the fix is obvious. (The templates dialog is
 * checked in templates-browser.test.ts.)
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chromiumReady, type OpenBrowser, openBrowser } from './support/browser.js';
import { type Harness, startHarness, teamAgent } from './support/inbox-server.js';

vi.setConfig({ testTimeout: 120_000 });

/** What axe found of serious or critical impact, as `rule: element, element`. */
async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const SIZES = [
  { name: 'desktop', viewport: { width: 1366, height: 768 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

if (chromiumReady()) {
  describe('accessibility of the inbox page (axe-core)', () => {
    let h: Harness;
    let b: OpenBrowser;

    beforeAll(async () => {
      h = await startHarness({
        host: '0.0.0.0',
        seed: 5,
        agents: [await teamAgent('anna', 'Анна')],
      });
      b = await openBrowser();
    }, 60_000);

    afterAll(async () => {
      await b?.close();
      await h?.close();
    });

    for (const size of SIZES) {
      it(`has no serious violation on the login page, the queue, a chat and the file preview (${size.name})`, async () => {
        const context = await b.context({ viewport: size.viewport });
        try {
          const page = await context.newPage();
          page.setDefaultTimeout(10_000);
          await page.goto(h.url);
          await page.getByLabel('Логин').waitFor();
          expect(await seriousViolations(page)).toEqual([]);

          await page.getByLabel('Логин').fill('anna');
          await page.getByLabel('Пароль').fill('anna-pass');
          await page.getByRole('button', { name: 'Войти' }).click();
          await page.getByRole('list', { name: 'Чаты' }).waitFor();
          expect(await seriousViolations(page)).toEqual([]);

          await page.locator('.chat-item a').first().click();
          await page.getByRole('log').waitFor();
          expect(await seriousViolations(page)).toEqual([]);

          await page
            .locator('input[type="file"]')
            .first()
            .setInputFiles({
              name: 'накладная.txt',
              mimeType: 'text/plain',
              buffer: Buffer.from('номер отправления 123'),
            });
          await page.getByRole('group', { name: 'Файлы к отправке' }).waitFor();
          expect(await seriousViolations(page)).toEqual([]);
        } finally {
          await context.close();
        }
      });
    }
  });
}

/**
 * A one-time login link in a real browser: following `…/login#link=TOKEN` logs the browser in (the page
 * posts the token from the fragment, which never reaches a server log), takes the token out of the address
 * bar, and leaves a device token; the same link in another browser is refused with the reason.
 */
import { createLoginLink, hashPassword, loginLinkUrl } from '@ym-chats/inbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumReady, type OpenBrowser, openBrowser } from './support/browser.js';
import { BUSINESS, type Harness, startHarness } from './support/inbox-server.js';

if (chromiumReady()) {
  describe('a login link in the browser', () => {
    let h: Harness;
    let b: OpenBrowser;
    beforeAll(async () => {
      h = await startHarness({
        host: '0.0.0.0',
        agents: [{ login: 'anna', passwordHash: await hashPassword('anna-pass'), businessIds: [BUSINESS] }],
      });
      b = await openBrowser();
    });
    afterAll(async () => {
      await b?.close();
      await h?.close();
    });

    it('logs in once, leaves a device token, and the token out of the address bar', async () => {
      const url = loginLinkUrl(h.url, await createLoginLink(h.store.store.database(), 'anna'));
      const context = await b.context();
      const page = await context.newPage();
      page.setDefaultTimeout(8000);
      await page.goto(url);
      await page.getByRole('list', { name: 'Чаты' }).waitFor();
      expect(page.url()).not.toContain('#link');
      expect((await context.cookies()).some((c) => c.name.startsWith('ymc_device_'))).toBe(true);
      // The same link in another browser: used up, and the page says so.
      const other = await b.context();
      const late = await other.newPage();
      late.setDefaultTimeout(8000);
      await late.goto(url);
      await expect.poll(() => late.getByRole('alert').textContent()).toContain('agents link');
      expect(await late.getByRole('list', { name: 'Чаты' }).count()).toBe(0);
      await context.close();
      await other.close();
    });
  });
}

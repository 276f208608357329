import type { BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, chromiumReady, loginPage, type OpenBrowser, openBrowser } from './support/browser.js';
import { BUSINESS, type Harness, startHarness, teamAgent } from './support/inbox-server.js';

const SEND = /\/api\/businesses\/\d+\/chats\/\d+\/messages$/;

if (chromiumReady()) {
  describe('issue 19: a send whose answer a proxy lost', () => {
    let h: Harness;
    let b: OpenBrowser;
    let context: BrowserContext;
    let page: Page;
    let waiting: number[] = [];

    async function copies(chatId: number, text: string): Promise<number> {
      let n = 0;
      for await (const m of h.api.iterateChatHistory(BUSINESS, chatId)) if (m.message === text) n++;
      return n;
    }

    /**
     * Sends `text` in a fresh waiting chat with the proxy's `lose` on the first POST of a reply; returns the
     * states the reply showed, in order, until Sent (or 20 s), and the number of POSTs the page made.
     */
    async function sendThrough(lose: (route: Route) => Promise<void>, text: string) {
      const chatId = waiting.shift();
      if (chatId === undefined) throw new Error('the seed has too few waiting chats for this file');
      await page.locator(`.chat-item[data-chat-id="${chatId}"] a`).click();
      await page.getByRole('log', { name: 'Сообщения' }).waitFor();
      let posts = 0;
      await page.route(SEND, async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        posts += 1;
        if (posts === 1) return lose(route);
        return route.continue();
      });
      try {
        await page.getByRole('textbox', { name: 'Ответ' }).fill(text);
        await page.getByRole('button', { name: 'Отправить', exact: true }).click();
        const reply = page.locator('.out').last();
        const shown: string[] = [];
        const labels = new Set<string>();
        const deadline = Date.now() + 20_000;
        for (;;) {
          const state = (await reply.getAttribute('data-state')) ?? 'gone';
          if (shown.at(-1) !== state) shown.push(state);
          labels.add(
            (await reply
              .locator('.state')
              .textContent()
              .catch(() => '')) ?? '',
          );
          if (state === 'sent' || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        return { chatId, shown, labels: [...labels], posts };
      } finally {
        await page.unroute(SEND);
      }
    }

    beforeAll(async () => {
      h = await startHarness({
        host: '0.0.0.0',
        seed: 29,
        inbox: { pageRefreshMs: 3_600_000, sends: { settleMs: 1500, heartbeatMs: 200, staleAfterMs: 1000 } },
        agents: [await teamAgent('anna', 'Анна')],
      });
      b = await openBrowser();
      context = await b.context({ viewport: { width: 1280, height: 800 } });
      page = await loginPage(context, h.url, { login: 'anna', password: 'anna-pass' });
      const res = await apiGet(page, `${h.url}/api/queue?status=WAITING_FOR_PARTNER&limit=200`);
      waiting = ((await res.json()) as { chats: Array<{ chatId: number }> }).chats.map((c) => c.chatId);
      expect(waiting.length).toBeGreaterThanOrEqual(3);
    }, 60_000);

    afterAll(async () => {
      await b?.close();
      await h?.close();
    });

    const expectCheckingThenSent = (r: { shown: string[]; labels: string[] }) => {
      expect(r.shown.filter((s) => s !== 'sending')).toEqual(['checking', 'sent']);
      expect(r.labels).toContain('Возможно, отправлено — проверяем…');
      expect(r.labels.filter((l) => /Не отправлено/.test(l))).toEqual([]);
    };

    it("a proxy's 502 after the inbox sent it: checking, then Sent; one copy, one request", async () => {
      const text = 'Ответ, на который прокси ответил 502';
      const r = await sendThrough(async (route) => {
        await route.fetch(); // the inbox sends it; its answer never reaches the page
        await route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' });
      }, text);
      expectCheckingThenSent(r);
      expect(r.posts).toBe(1);
      expect(await copies(r.chatId, text)).toBe(1);
    });

    it("a proxy's 504 before the request reached the inbox: the server knows no such send; it goes once", async () => {
      const text = 'Ответ, который прокси не донёс (504)';
      const r = await sendThrough(
        (route) =>
          route.fulfill({ status: 504, contentType: 'text/html', body: '<h1>504 Gateway Timeout</h1>' }),
        text,
      );
      expectCheckingThenSent(r);
      // The page asked about the same draft, heard "unknown" and sent it: the second POST.
      expect(r.posts).toBe(2);
      expect(await copies(r.chatId, text)).toBe(1);
    });

    it('a connection reset after the inbox sent it: checking, then Sent; one copy', async () => {
      const text = 'Ответ, после которого соединение оборвалось';
      const r = await sendThrough(async (route) => {
        await route.fetch();
        await route.abort('connectionreset');
      }, text);
      expectCheckingThenSent(r);
      expect(r.posts).toBe(1);
      expect(await copies(r.chatId, text)).toBe(1);
    });
  });
}

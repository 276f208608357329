import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumReady, loginPage, type OpenBrowser, openBrowser } from './support/browser.js';
import { BUSINESS, type Harness, startHarness, teamAgent } from './support/inbox-server.js';
import { syncPass } from './support/sync-pass.js';

/** The queue's page as the server cuts it (routes/queue.ts). */
const PAGE = 50;
/** Live events take a sync pass, the indexer's poll, the stream and the counts' 1 s pace. */
const SOON = { timeout: 8000 };

if (chromiumReady()) {
  describe('totals on the inbox page', () => {
    let h: Harness;
    let b: OpenBrowser;
    let page: Page;

    /** Chats waiting for the seller, read from the chats themselves (not the queue table the counts read). */
    async function waitingInStore(): Promise<number> {
      const rows = await h.store.store
        .database()
        .all('SELECT COUNT(*) AS n FROM chats WHERE business_id = ? AND status = ?', [
          BUSINESS,
          'WAITING_FOR_PARTNER',
        ]);
      return Number(rows[0]!.n);
    }

    /** A buyer opens a new chat and writes in it; the sync stores it as a push would have it. */
    async function buyerStartsChat(text: string): Promise<number> {
      const { chat } = await h.admin.createChat(BUSINESS, { context: { type: 'DIRECT' } });
      await h.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: text });
      return chat.chatId;
    }

    beforeAll(async () => {
      h = await startHarness({
        host: '0.0.0.0',
        seed: 23,
        // No timed refresh: only live events may change what the page shows.
        inbox: { pageRefreshMs: 3_600_000 },
        agents: [await teamAgent('anna', 'Анна')],
      });
      // More waiting chats than one page of the queue holds.
      const missing = PAGE + 12 - (await waitingInStore());
      for (let i = 0; i < missing; i++) await buyerStartsChat(`Здравствуйте, вопрос номер ${i + 1}`);
      await syncPass(h.store.store, h.api, BUSINESS);
      await h.source.indexer.catchUp();
      b = await openBrowser();
      const context = await b.context({ viewport: { width: 1366, height: 768 } });
      page = await loginPage(context, h.url, { login: 'anna', password: 'anna-pass' });
    }, 90_000);

    afterAll(async () => {
      await b?.close();
      await h?.close();
    });

    it('the tab title counts every waiting chat, not the first page of them', async () => {
      const waiting = await waitingInStore();
      expect(waiting).toBeGreaterThan(PAGE);
      // The list holds one page, all of it waiting chats; the rest is behind "More".
      await expect.poll(() => page.locator('.chat-item').count()).toBe(PAGE);
      expect(await page.locator('.chat-item .wait').count()).toBe(PAGE);
      await expect(page.getByRole('button', { name: 'Ещё' }).count()).resolves.toBe(1);
      await expect.poll(() => page.title(), SOON).toBe(`(${waiting}) ym-chats`);
    });

    it('moves by one when a buyer writes in a new chat, without a reload', async () => {
      const before = await waitingInStore();
      await expect.poll(() => page.title(), SOON).toBe(`(${before}) ym-chats`);
      let navigations = 0;
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations += 1;
      });
      await page.evaluate(() => {
        (window as unknown as { stayed: boolean }).stayed = true;
      });
      await buyerStartsChat('Добрый день, заказ не пришёл');
      await syncPass(h.store.store, h.api, BUSINESS);
      expect(await waitingInStore()).toBe(before + 1);
      await expect.poll(() => page.title(), SOON).toBe(`(${before + 1}) ym-chats`);
      expect(navigations).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    });

    it('shows a new buyer message that matches the open search, without retyping', async () => {
      /** Chats whose stored messages hold the word (SQL over the messages, not the search). */
      const holding = async () =>
        (
          await h.store.store
            .database()
            .all('SELECT DISTINCT chat_id FROM messages WHERE business_id = ? AND text LIKE ?', [
              BUSINESS,
              '%жираф%',
            ])
        )
          .map((r) => Number(r.chat_id))
          .sort((x, y) => x - y);
      const shownHits = async () =>
        (
          await page
            .locator('.chat-item')
            .evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-chat-id'))))
        ).sort((x, y) => x - y);
      const [first, second] = (await h.source.queue({ businessIds: [BUSINESS], filter: {}, limit: 2 })).map(
        (c) => c.chatId,
      );
      expect(await holding()).toEqual([]);
      await h.admin.postMessage(BUSINESS, first!, { sender: 'CUSTOMER', message: 'Где мой жираф?' });
      await syncPass(h.store.store, h.api, BUSINESS);
      await expect.poll(holding).toEqual([first]);

      const box = page.getByRole('searchbox', { name: 'Поиск' });
      // Another form of the word: the server's word forms decide, on the first search and the live one.
      await box.fill('жирафа');
      await expect.poll(shownHits, SOON).toEqual([first]);
      await expect.poll(() => page.locator('.search-total').textContent()).toBe('Найдено чатов: 1');

      await h.admin.postMessage(BUSINESS, second!, {
        sender: 'CUSTOMER',
        message: 'Игрушечный жираф приехал помятым',
      });
      await syncPass(h.store.store, h.api, BUSINESS);
      const both = await holding();
      expect(both).toHaveLength(2);
      await expect.poll(shownHits, SOON).toEqual(both);
      await expect.poll(() => page.locator('.search-total').textContent()).toBe('Найдено чатов: 2');
      expect(await box.inputValue()).toBe('жирафа');
      await box.fill('');
    });

    it('says "+" after the total of a search past the count cap', async () => {
      // 20 chats × 105 messages with the word: 2 100 hits, past the store's cap of 2 000. The 100 hits
      // the cap leaves out cannot be all of one chat's 105, so every chat is among those counted.
      const chats = (await h.source.queue({ businessIds: [BUSINESS], filter: {}, limit: 20 })).map(
        (c) => c.chatId,
      );
      expect(chats).toHaveLength(20);
      const start = Date.parse('2026-12-01T09:00:00Z');
      let id = 970_000_000;
      for (const chatId of chats) {
        await h.store.store.writeHistoryPage({
          businessId: BigInt(BUSINESS),
          chatId: BigInt(chatId),
          runId: null,
          messages: Array.from({ length: 105 }, (_, i) => ({
            messageId: ++id,
            createdAt: new Date(start + i * 60_000).toISOString(),
            sender: 'CUSTOMER',
            message: `Капибара на фото, снимок ${i + 1}`,
          })),
          completedAt: null,
          now: new Date().toISOString(),
        });
      }
      await h.source.indexer.catchUp();
      const outside = await h.store.store
        .database()
        .all(
          'SELECT COUNT(*) AS hits, COUNT(DISTINCT chat_id) AS chats FROM messages WHERE business_id = ? AND text LIKE ?',
          [BUSINESS, '%Капибара%'],
        );
      const hits = Number(outside[0]!.hits);
      const found = Number(outside[0]!.chats);
      expect(hits).toBeGreaterThan(2000);
      expect(found).toBe(20);

      await page.getByRole('searchbox', { name: 'Поиск' }).fill('капибара');
      await expect
        .poll(() => page.locator('.search-total').textContent(), SOON)
        .toBe(`Найдено чатов: ${found}+`);
      await expect.poll(() => page.locator('.chat-item').count()).toBe(found);
    });
  });
}

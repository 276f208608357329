/**
 * Open pages keep their queue from live events alone (issue 22, items 10 and 11): a chat that changes
 * moves to its place on every page — and no page re-reads the queue for it — and the filter bar's counts
 * follow, with "All" clearing a filter. Two agents in two Chromium profiles, the real emulator and store.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumReady, type OpenBrowser, openBrowser } from './support/browser.js';
import { BUSINESS, type Harness, startHarness, teamAgent } from './support/inbox-server.js';
import { syncPass } from './support/sync-pass.js';

const WAITING = 'WAITING_FOR_PARTNER';
/** Live events take a sync pass, the indexer's poll and the stream: more than expect.poll's 1 s default. */
const SOON = { timeout: 5000 };

/** Requests a page made to the queue endpoint itself (not its counts, not search). */
function countQueueReads(page: Page): () => number {
  let n = 0;
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/queue') n += 1;
  });
  return () => n;
}

if (chromiumReady()) {
  describe('live rows on two pages', () => {
    let h: Harness;
    let b: OpenBrowser;
    let anna: Page;
    let boris: Page;
    let annaReads: () => number;
    let borisReads: () => number;

    async function login(context: BrowserContext, name: string, password: string): Promise<Page> {
      const p = await context.newPage();
      p.setDefaultTimeout(8000);
      await p.goto(h.url);
      await p.getByLabel('Логин').fill(name);
      await p.getByLabel('Пароль').fill(password);
      await p.getByRole('button', { name: 'Войти' }).click();
      await p.locator('.chat-item').first().waitFor();
      return p;
    }

    /** The chat ids a page lists, top to bottom. */
    const listed = (p: Page) =>
      p
        .getByRole('list', { name: 'Чаты' })
        .locator('.chat-item')
        .evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-chat-id'))));

    /** The store's queue as the server orders it, its first `n` chats. */
    async function storeOrder(n: number, filter: { statuses?: string[] } = {}) {
      const chats = await h.source.queue({ businessIds: [BUSINESS], filter, limit: n });
      return chats.map((c) => c.chatId);
    }

    async function storeChats() {
      return h.source.queue({ businessIds: [BUSINESS], filter: {}, limit: 200 });
    }

    beforeAll(async () => {
      h = await startHarness({
        host: '0.0.0.0',
        seed: 31,
        // No timed refresh: only live events may move the rows.
        inbox: { pageRefreshMs: 3_600_000, sends: { settleMs: 1500, heartbeatMs: 200, staleAfterMs: 1000 } },
        agents: [await teamAgent('anna', 'Анна'), await teamAgent('boris', 'Борис')],
      });
      b = await openBrowser();
      anna = await login(await b.context({ viewport: { width: 1366, height: 768 } }), 'anna', 'anna-pass');
      boris = await login(await b.context({ viewport: { width: 1366, height: 768 } }), 'boris', 'boris-pass');
      annaReads = countQueueReads(anna);
      borisReads = countQueueReads(boris);
      const all = await storeChats();
      expect(all.filter((c) => c.waitingSince).length).toBeGreaterThanOrEqual(3);
      expect(all.filter((c) => !c.waitingSince).length).toBeGreaterThanOrEqual(3);
    }, 60_000);

    afterAll(async () => {
      await b?.close();
      await h?.close();
    });

    it('moves a chat the buyer wrote in to its place on both pages, without reading the queue', async () => {
      const shown = await listed(boris);
      // A chat nobody waits in, low in the list: the buyer's message puts it among the waiting ones.
      const quiet = (await storeChats()).filter((c) => !c.waitingSince && shown.includes(c.chatId)).at(-1)!;
      const readsBefore = [annaReads(), borisReads()];
      await h.admin.postMessage(BUSINESS, quiet.chatId, { sender: 'CUSTOMER', message: 'Где мой заказ?' });
      await syncPass(h.store.store, h.api, BUSINESS);
      const expected = await storeOrder(shown.length);
      expect(expected.indexOf(quiet.chatId)).toBeLessThan(shown.indexOf(quiet.chatId));
      for (const p of [boris, anna]) await expect.poll(() => listed(p), SOON).toEqual(expected);
      const row = boris.locator(`.chat-item[data-chat-id="${quiet.chatId}"]`);
      expect(await row.locator('.wait').count()).toBe(1);
      expect(await row.locator('.preview').textContent()).toBe('Где мой заказ?');
      expect([annaReads(), borisReads()]).toEqual(readsBefore);
    });

    it('moves a chat out of the waiting ones on the other page when an agent replies', async () => {
      const first = (await storeChats()).find((c) => c.waitingSince)!;
      const readsBefore = borisReads();
      await anna.locator(`.chat-item[data-chat-id="${first.chatId}"] a`).click();
      const box = anna.getByRole('textbox', { name: 'Ответ' });
      await box.fill('Уже отправили, ждите завтра');
      await anna.getByRole('button', { name: 'Отправить', exact: true }).click();
      await expect
        .poll(() => anna.locator('.out').getAttribute('data-state'), { timeout: 15_000 })
        .toBe('sent');
      await expect
        .poll(async () => (await storeChats()).find((c) => c.chatId === first.chatId)?.waitingSince, SOON)
        .toBeUndefined();
      const expected = await storeOrder((await listed(boris)).length);
      await expect.poll(() => listed(boris), SOON).toEqual(expected);
      const row = boris.locator(`.chat-item[data-chat-id="${first.chatId}"]`);
      await expect.poll(() => row.locator('.assignee').textContent(), SOON).toBe('@anna');
      expect(await row.locator('.wait').count()).toBe(0);
      expect(borisReads()).toBe(readsBefore);
    });

    it('counts each filter value, follows a chat that stops waiting, and "All" clears the filter', async () => {
      const status = boris.getByRole('combobox', { name: 'Статус' });
      const waitingOption = status.locator(`option[value="${WAITING}"]`);
      const waitingNow = async () => (await storeChats()).filter((c) => c.waitingSince).length;
      const count = await waitingNow();
      await expect.poll(() => waitingOption.textContent(), SOON).toBe(`Ждёт ответа (${count})`);
      const all = (await storeChats()).length;
      expect(await status.locator('option[value=""]').textContent()).toBe(`Статус: все (${all})`);

      // Filtered to the waiting chats: a reply takes the chat out of the list and one off the count.
      await status.selectOption(WAITING);
      const waiting = await storeOrder(50, { statuses: [WAITING] });
      await expect.poll(() => listed(boris)).toEqual(waiting);
      const before = waiting.length;
      const readsBefore = borisReads();
      const chatId = waiting[0]!;
      await h.api.sendMessageToChat(BUSINESS, chatId, { message: 'Ответ из кабинета продавца' });
      await syncPass(h.store.store, h.api, BUSINESS);
      await expect
        .poll(() => waitingOption.textContent(), { timeout: 5000 })
        .toBe(`Ждёт ответа (${before - 1})`);
      await expect.poll(() => listed(boris), SOON).toEqual(waiting.slice(1));
      expect(borisReads()).toBe(readsBefore);

      // "All" is the first option: the filter goes, and the whole queue is back.
      await status.selectOption({ label: `Статус: все (${all})` });
      expect(await status.inputValue()).toBe('');
      await expect.poll(() => listed(boris)).toEqual(await storeOrder(50));
    });
  });
}

/**
 * The real page in headless Chromium against the real emulator and a real store: login, the queue, search,
 * replies, files, templates, live messages, a second agent's presence, hostile content, languages and ARIA
 * names. Takes the README's screenshots on every run (they exercise the layout) but writes them into docs/
 * only under YM_UPDATE_SCREENSHOTS=1, so a test run leaves the tracked PNGs alone.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentialFetcher } from '@ym-chats/inbox';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, chromiumReady, loginPage, type OpenBrowser, openBrowser } from './support/browser.js';
import { BUSINESS, type Harness, serveInbox, startHarness, teamAgent } from './support/inbox-server.js';
import { syncPass } from './support/sync-pass.js';

const UPDATE_SCREENSHOTS = process.env.YM_UPDATE_SCREENSHOTS === '1';
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));

interface QueueChat {
  chatId: number;
  status: string;
  context: { orderId?: number; customerName?: string };
}

if (chromiumReady()) {
  describe('the inbox page in Chromium', () => {
    let h: Harness;
    let b: OpenBrowser;
    let anna: BrowserContext;
    let page: Page;
    const cspErrors: string[] = [];
    /** Where this run's screenshots go: docs/ when asked to update them, else a temp directory. */
    let shots = DOCS;

    /** What the sync engine does on a push: read the chat and store it; the inbox follows the log. */
    async function buyerWrites(chatId: number, message: string) {
      await h.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message });
      await syncPass(h.store.store, h.api, BUSINESS);
    }

    async function queue(): Promise<QueueChat[]> {
      const res = await apiGet(page, `${h.url}/api/queue?limit=200`);
      return ((await res.json()) as { chats: QueueChat[] }).chats;
    }

    async function history(chatId: number) {
      const all = [];
      for await (const m of h.api.iterateChatHistory(BUSINESS, chatId)) all.push(m);
      return all;
    }

    const login = (context: BrowserContext, name: string, password: string) =>
      loginPage(context, h.url, { login: name, password, cspErrors });

    async function openChat(p: Page, chatId: number) {
      await p.locator(`.chat-item[data-chat-id="${chatId}"] a`).click();
      await p.getByRole('log', { name: /Сообщения|Messages/ }).waitFor();
    }

    beforeAll(async () => {
      shots = UPDATE_SCREENSHOTS ? DOCS : `${mkdtempSync(join(tmpdir(), 'inbox-shots-'))}/`;
      mkdirSync(shots, { recursive: true });
      h = await startHarness({
        host: '0.0.0.0',
        seed: 11,
        // No push reaches this store: whatever the page shows after a send, the inbox read back itself.
        inbox: { pageRefreshMs: 3_600_000, sends: { settleMs: 1500, heartbeatMs: 200, staleAfterMs: 1000 } },
        agents: [await teamAgent('anna', 'Анна'), await teamAgent('boris', 'Борис')],
      });
      b = await openBrowser();
      anna = await b.context({ viewport: { width: 1280, height: 800 } });
      page = await login(anna, 'anna', 'anna-pass');
      page.setDefaultTimeout(8000);
    }, 60_000);

    afterAll(async () => {
      await b?.close();
      await h?.close();
      if (shots !== DOCS) rmSync(shots, { recursive: true, force: true });
    });

    it('logs in and shows waiting chats first, longest wait first, with live wait timers', async () => {
      const expected = await queue();
      const waiting = expected.filter((c) => c.status === 'WAITING_FOR_PARTNER');
      // The list is on the page before the queue's first read has answered: the rows come with it.
      const shown = () =>
        page
          .locator('.chat-item')
          .evaluateAll((items) => items.map((i) => Number((i as HTMLElement).dataset.chatId)));
      await expect
        .poll(async () => (await shown()).slice(0, waiting.length))
        .toEqual(waiting.map((c) => c.chatId));
      expect(await page.locator('.chat-item .wait.late').count()).toBeGreaterThan(0);
      // A buyer who starts waiting now: the timer starts near zero, ticks, and is within the target.
      const fresh = expected.find((c) => c.status !== 'WAITING_FOR_PARTNER')!;
      await buyerWrites(fresh.chatId, 'Здравствуйте, когда будет доставка?');
      const wait = page.locator(`.chat-item[data-chat-id="${fresh.chatId}"] .wait`);
      await expect.poll(() => wait.getAttribute('class'), { timeout: 10_000 }).toBe('wait ok');
      const before = await wait.textContent();
      expect(before).toMatch(/^\d+ с$/);
      await expect.poll(() => wait.textContent(), { timeout: 5000 }).not.toBe(before);
      await page.screenshot({ path: `${shots}queue.png` });
    });

    it('searches a phrase, highlights it, and opens its chat at that message', async () => {
      const chat = (await queue()).find((c) => c.status !== 'WAITING_FOR_PARTNER')!;
      const phrase = 'курьер оставил коробку у соседей';
      await buyerWrites(chat.chatId, `Добрый день! ${phrase}, это нормально?`);
      await h.source.indexer.catchUp();
      const search = page.getByRole('searchbox', { name: 'Поиск' });
      await search.fill('Курьер коробк');
      await search.press('Enter');
      const hit = page.locator(`.chat-item[data-chat-id="${chat.chatId}"]`);
      await expect.poll(() => hit.locator('mark').allTextContents()).toEqual(['курьер', 'коробк']);
      await hit.locator('a').click();
      await expect.poll(() => page.getByRole('log', { name: 'Сообщения' }).textContent()).toContain(phrase);
      expect(page.url()).toContain(`/chats/${BUSINESS}/${chat.chatId}`);
      await search.fill('');
    });

    it('shows the chat of an order number as it is typed, without Enter, once, and opens it', async () => {
      const chat = (await queue()).find((c) => c.context.orderId !== undefined)!;
      const orderId = String(chat.context.orderId);
      const search = page.getByRole('searchbox', { name: 'Поиск' });
      await search.pressSequentially(orderId, { delay: 20 });
      const item = page.locator(`.chat-item[data-chat-id="${chat.chatId}"]`);
      await expect.poll(() => item.locator('.reason').allTextContents()).toEqual([`Заказ № ${orderId}`]);
      expect(await item.count()).toBe(1);
      await expect.poll(() => page.locator('.search-total').textContent()).toMatch(/^Найдено чатов: \d+$/);
      await item.locator('a').click();
      await expect.poll(() => page.url()).toContain(`/chats/${BUSINESS}/${chat.chatId}`);
      await search.fill('');
    });

    it('replies with a live counter and shows the send state', async () => {
      const chat = (await queue()).find((c) => c.status === 'WAITING_FOR_PARTNER')!;
      await openChat(page, chat.chatId);
      const reply = page.getByRole('textbox', { name: 'Ответ' });
      await reply.fill('Здравствуйте! 😀');
      await expect.poll(() => page.locator('#reply-counter').textContent()).toBe('16 / 4096');
      await page.getByRole('button', { name: 'Отправить', exact: true }).click();
      await expect.poll(() => page.locator('.out').last().getAttribute('data-state')).toBe('sent');
      expect((await history(chat.chatId)).at(-1)).toMatchObject({
        sender: 'PARTNER',
        message: 'Здравствуйте! 😀',
      });
      await syncPass(h.store.store, h.api, BUSINESS);
      await expect
        .poll(() => page.getByRole('log', { name: 'Сообщения' }).textContent())
        .toContain('Здравствуйте! 😀');
      // Answered: the queue drops its wait timer without a reload.
      const item = page.locator(`.chat-item[data-chat-id="${chat.chatId}"]`);
      await expect.poll(() => item.locator('.wait').count(), { timeout: 10_000 }).toBe(0);
      await page.screenshot({ path: `${shots}chat.png` });
    });

    it('attaches a file, and refuses one over 5 MB in the page', async () => {
      const chat = (await queue()).find((c) => c.status === 'WAITING_FOR_PARTNER')!;
      await openChat(page, chat.chatId);
      const input = page.locator('input[type=file]');
      const before = (await h.admin.state()).totals.files;
      await input.setInputFiles({
        name: 'big.bin',
        mimeType: 'application/octet-stream',
        buffer: Buffer.alloc(5 * 1024 * 1024 + 1),
      });
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('Файл больше 5 МБ');
      expect((await h.admin.state()).totals.files).toBe(before);
      await expect(page.getByRole('button', { name: 'Прикрепить файл' }).isVisible()).resolves.toBe(true);
      await input.setInputFiles({
        name: 'чек.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('Кассовый чек'),
      });
      // Shown first: nothing leaves before the preview's Send.
      expect((await h.admin.state()).totals.files).toBe(before);
      await page
        .getByRole('group', { name: 'Файлы к отправке' })
        .getByRole('button', { name: 'Отправить', exact: true })
        .click();
      await expect.poll(() => page.locator('.out').last().getAttribute('data-state')).toBe('sent');
      expect((await history(chat.chatId)).at(-1)?.payload?.[0]).toMatchObject({ name: 'чек.txt' });
    });

    it('fills a template with the order id and customer name', async () => {
      const chat = (await queue()).find((c) => c.context.orderId !== undefined && c.context.customerName)!;
      await openChat(page, chat.chatId);
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('t');
      await page.getByRole('listbox', { name: 'Шаблоны' }).getByRole('option').first().click();
      const text = await page.getByRole('textbox', { name: 'Ответ' }).inputValue();
      expect(text).toContain(String(chat.context.orderId));
      expect(text).toContain(chat.context.customerName!);
      await page.getByRole('textbox', { name: 'Ответ' }).fill('');
      // The picker's first template has the focus the moment the picker appears, before any paint, so an
      // Enter pressed at once inserts it rather than going to the page.
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      const focusedAtOnce = await page.evaluate(
        () =>
          new Promise<string | null>((resolve) => {
            const watch = new MutationObserver(() => {
              if (!document.querySelector('.picker [role="option"]')) return;
              watch.disconnect();
              resolve(document.activeElement?.getAttribute('role') ?? null);
            });
            watch.observe(document.body, { childList: true, subtree: true });
            document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 't', bubbles: true }));
          }),
      );
      expect(focusedAtOnce).toBe('option');
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByRole('listbox', { name: 'Шаблоны' }).count()).toBe(0);
    });

    it('asks before sending a template variable the chat has no value for', async () => {
      const chat = (await queue()).find((c) => c.context.orderId === undefined && c.status !== 'FINISHED')!;
      const before = (await history(chat.chatId)).length;
      await openChat(page, chat.chatId);
      const box = page.getByRole('textbox', { name: 'Ответ' });
      await box.fill('Заказ {orderId} передан в доставку.');
      await page.getByRole('button', { name: 'Отправить', exact: true }).click();
      const ask = page.getByRole('alertdialog');
      await expect.poll(() => ask.textContent()).toContain('{orderId}');
      await ask.getByRole('button', { name: 'Отмена' }).click();
      expect(await box.inputValue()).toBe('Заказ {orderId} передан в доставку.');
      expect((await history(chat.chatId)).length).toBe(before);
      await box.fill('');
    });

    it('shows a buyer message posted through the emulator without a reload', async () => {
      const chat = (await queue())[0]!;
      await openChat(page, chat.chatId);
      await page.evaluate(() => {
        (window as unknown as { marker: number }).marker = 1;
      });
      await buyerWrites(chat.chatId, 'Есть новости по заказу?');
      await expect
        .poll(() => page.getByRole('log', { name: 'Сообщения' }).textContent(), { timeout: 10_000 })
        .toContain('Есть новости по заказу?');
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    });

    it('marks a dispute opened meanwhile without a reload', async () => {
      const chat = (await queue()).find(
        (c) => c.context.orderId !== undefined && c.status === 'WAITING_FOR_CUSTOMER',
      )!;
      await openChat(page, chat.chatId);
      await page.evaluate(() => {
        (window as unknown as { marker: number }).marker = 2;
      });
      expect(await page.locator('.chat-head .badge.dispute').count()).toBe(0);
      await h.admin.updateChat(BUSINESS, chat.chatId, { type: 'ARBITRAGE' });
      await syncPass(h.store.store, h.api, BUSINESS);
      await expect
        .poll(() => page.locator('.chat-head .badge.dispute').textContent(), { timeout: 10_000 })
        .toBe('Спор');
      await expect
        .poll(() => page.locator(`.chat-item[data-chat-id="${chat.chatId}"] .badge.dispute`).count(), {
          timeout: 10_000,
        })
        .toBe(1);
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(2);
    });

    it("shows a second agent's presence and typing in the same chat", async () => {
      const chat = (await queue())[0]!;
      await openChat(page, chat.chatId);
      const boris = await b.context({ viewport: { width: 1280, height: 800 } });
      try {
        const other = await login(boris, 'boris', 'boris-pass');
        await openChat(other, chat.chatId);
        const presence = page.locator('.presence');
        await expect.poll(() => presence.textContent(), { timeout: 10_000 }).toBe('Здесь же: Борис');
        await other.getByRole('textbox', { name: 'Ответ' }).pressSequentially('Сейчас');
        await expect
          .poll(() => presence.textContent(), { timeout: 10_000 })
          .toBe('Здесь же: Борис (печатает…)');
        await other.close();
        await expect.poll(() => presence.count(), { timeout: 10_000 }).toBe(0);
      } finally {
        await boris.close();
      }
    });

    it('says "may have been sent — checking" after a 500, learns it was not, and sends again only when asked', async () => {
      const chat = (await queue()).find((c) => c.status === 'WAITING_FOR_PARTNER')!;
      await openChat(page, chat.chatId);
      const before = (await h.admin.state()).totals.messages;
      await h.admin.addFaults([{ operation: 'sendMessageToChat', status: 500, count: 1 }]);
      await page.getByRole('textbox', { name: 'Ответ' }).fill('Уточняем у склада');
      await page.getByRole('button', { name: 'Отправить', exact: true }).click();
      const item = page.locator('.out').last();
      await expect.poll(() => item.getAttribute('data-state')).toBe('checking');
      expect(await item.locator('.state').textContent()).toBe('Возможно, отправлено — проверяем…');
      // The server settles it from the chat's history once the platform's window is over: not there.
      await expect.poll(() => item.getAttribute('data-state'), { timeout: 15_000 }).toBe('notSent');
      expect((await h.admin.state()).totals.messages).toBe(before);
      await item.getByRole('button', { name: 'Отправить ещё раз' }).click();
      await expect.poll(() => page.locator('.out').last().getAttribute('data-state')).toBe('sent');
      expect((await h.admin.state()).totals.messages).toBe(before + 1);
      // The reply is in the conversation, read back by the inbox (no push reaches this store).
      const log = page.getByRole('log', { name: 'Сообщения' });
      await expect
        .poll(() => log.locator('.text').last().textContent(), { timeout: 5000 })
        .toBe('Уточняем у склада');
    });

    it('remembers a reply still being checked when the agent opens another chat and comes back', async () => {
      const chats = (await queue()).filter((c) => c.status === 'WAITING_FOR_PARTNER');
      const [chat, other] = [chats[0]!, chats[1]!];
      await openChat(page, chat.chatId);
      await h.admin.addFaults([{ operation: 'sendMessageToChat', drop: 'after', count: 1 }]);
      await page.getByRole('textbox', { name: 'Ответ' }).fill('Ответ, ответ на который потерялся');
      await page.getByRole('button', { name: 'Отправить', exact: true }).click();
      await expect.poll(() => page.locator('.out').last().getAttribute('data-state')).toBe('checking');
      await openChat(page, other.chatId);
      await openChat(page, chat.chatId);
      // Still listed, and settled from the history meanwhile: the agent sees it went out once.
      await expect
        .poll(() => page.locator('.out').last().getAttribute('data-state'), { timeout: 15_000 })
        .toBe('sent');
      expect(
        (await history(chat.chatId)).filter((m) => m.message === 'Ответ, ответ на который потерялся'),
      ).toHaveLength(1);
    });

    it('asks before sending when another agent replied meanwhile and took the chat', async () => {
      const chat = (await queue()).find((c) => c.status === 'WAITING_FOR_PARTNER')!;
      await openChat(page, chat.chatId);
      await page.getByRole('textbox', { name: 'Ответ' }).fill('Анна отвечает тоже');
      const boris = await b.context();
      try {
        const other = await login(boris, 'boris', 'boris-pass');
        await openChat(other, chat.chatId);
        await other.getByRole('textbox', { name: 'Ответ' }).fill('Борис отвечает первым');
        await other.getByRole('button', { name: 'Отправить', exact: true }).click();
        await expect.poll(() => other.locator('.out').last().getAttribute('data-state')).toBe('sent');
        // Boris sees his own reply in the conversation and the chat no longer waiting, with no push.
        const log = other.getByRole('log', { name: 'Сообщения' });
        await expect
          .poll(() => log.locator('.text').last().textContent(), { timeout: 5000 })
          .toBe('Борис отвечает первым');
      } finally {
        await boris.close();
      }
      await page.getByRole('button', { name: 'Отправить', exact: true }).click();
      const dialog = page.getByRole('alertdialog');
      await expect.poll(() => dialog.textContent()).toContain('Чат назначен на boris. Ответить всё равно?');
      await dialog.getByRole('button', { name: 'Ответить всё равно' }).click();
      await expect.poll(() => dialog.textContent()).toContain('Пока вы писали, в чате ответили: boris');
      expect(await dialog.locator('.said').textContent()).toContain('Борис отвечает первым');
      expect((await history(chat.chatId)).at(-1)?.message).toBe('Борис отвечает первым');
      await dialog.getByRole('button', { name: 'Отправить всё равно' }).click();
      await expect.poll(() => page.locator('.out').last().getAttribute('data-state')).toBe('sent');
      expect((await history(chat.chatId)).at(-1)?.message).toBe('Анна отвечает тоже');
    });

    it('renders hostile buyer text as text', async () => {
      const chat = (await queue())[1]!;
      const hostile = [
        '<script>window.pwned = 1</script>',
        '<img src=x onerror="window.pwned = 2">',
        '<a href="javascript:window.pwned = 3">жми</a> javascript:window.pwned=4',
        'abc\u202Edcba\u202C',
      ].join('\n');
      const stars = '⭐'.repeat(4096);
      let dialogs = 0;
      page.on('dialog', (d) => {
        dialogs += 1;
        void d.dismiss();
      });
      await buyerWrites(chat.chatId, hostile);
      await buyerWrites(chat.chatId, stars);
      await openChat(page, chat.chatId);
      const log = page.getByRole('log', { name: 'Сообщения' });
      await expect.poll(() => log.locator('.text').last().textContent()).toBe(stars);
      const texts = await log.locator('.text').allTextContents();
      expect(texts).toContain(hostile);
      expect(await log.locator('script, img[src="x"], a[href^="javascript"]').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(dialogs).toBe(0);
      const box = await log.locator('.text').last().boundingBox();
      const logBox = await log.boundingBox();
      expect(box!.width).toBeLessThanOrEqual(logBox!.width);
    });

    it('switches to English with the accessible names of the issue, and has a shortcut cheat sheet', async () => {
      const chat = (await queue())[0]!;
      await openChat(page, chat.chatId);
      const names = async (p: Page, n: Record<string, string>) => {
        await p.getByRole('list', { name: n.chats }).waitFor();
        await p.getByRole('log', { name: n.messages }).waitFor();
        await p.getByRole('textbox', { name: n.reply, exact: true }).waitFor();
        await p.getByRole('button', { name: n.send, exact: true }).waitFor();
        await p.getByRole('button', { name: n.attach }).waitFor();
        await p.getByRole('searchbox', { name: n.search }).waitFor();
      };
      await names(page, {
        chats: 'Чаты',
        messages: 'Сообщения',
        reply: 'Ответ',
        send: 'Отправить',
        attach: 'Прикрепить файл',
        search: 'Поиск',
      });
      // The choice is kept, and the document's language set, in the click's own task: a reload or a link
      // followed at once finds English.
      const keptAtOnce = await page.evaluate(async () => {
        document.querySelector<HTMLButtonElement>('button.lang')?.click();
        await Promise.resolve();
        return [document.documentElement.lang, localStorage.getItem('ymc.lang')];
      });
      expect(keptAtOnce).toEqual(['en', 'en']);
      await names(page, {
        chats: 'Chats',
        messages: 'Messages',
        reply: 'Reply',
        send: 'Send',
        attach: 'Attach file',
        search: 'Search',
      });
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('?');
      const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await expect.poll(() => sheet.textContent()).toContain('Next waiting chat');
      await page.keyboard.press('Escape');
      await expect.poll(() => sheet.count()).toBe(0);
      await page.getByRole('button', { name: 'Русский' }).click();
    });

    it('opens the next waiting chat with "n", and fits a phone screen', async () => {
      await page.goto(h.url);
      await page.getByRole('list', { name: 'Чаты' }).waitFor();
      const first = (await queue()).find((c) => c.status === 'WAITING_FOR_PARTNER')!;
      // "n" opens the next waiting chat of the queue the page has read: once that read has answered.
      await page.locator(`.chat-item[data-chat-id="${first.chatId}"]`).waitFor();
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('n');
      await expect.poll(() => page.url()).toContain(`/chats/${BUSINESS}/${first.chatId}`);
      // How far the log is from its newest message, once the frames after a change are drawn.
      const log = page.getByRole('log', { name: 'Сообщения' });
      const fromBottom = () =>
        log.evaluate(async (el) => {
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          return el.scrollHeight - el.scrollTop - el.clientHeight;
        });
      await expect.poll(fromBottom).toBeLessThan(2);
      await page.setViewportSize({ width: 390, height: 844 });
      // The narrower screen rewraps every message: the reader stays at the newest one.
      expect(await fromBottom()).toBeLessThan(2);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      // The header stays one row: every button in it on the same line as the first.
      const tops = await page
        .locator('header.top > :is(button, span, div, a):visible')
        .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
      expect(tops.length).toBeGreaterThan(3);
      expect(new Set(tops).size).toBe(1);
      await page.screenshot({ path: `${shots}phone.png` });
      await page.getByRole('button', { name: 'Назад' }).click();
      await page.getByRole('list', { name: 'Чаты' }).waitFor();
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    it('keeps only the visible part of a long history in the page, and reaches its first message', async () => {
      const chat = (await queue())[2]!;
      const first = (await history(chat.chatId)).at(-1)!;
      const start = new Date(first.createdAt).getTime();
      // 3 000 messages through the store's own write path (the engine's), faster than 3 000 API round trips.
      const messages = Array.from({ length: 3000 }, (_, i) => ({
        messageId: 990_000_000 + chat.chatId * 10_000 + i,
        createdAt: new Date(start + (i + 1) * 1000).toISOString(),
        sender: i % 2 ? 'PARTNER' : 'CUSTOMER',
        message: `Длинная переписка, сообщение ${i + 1}`,
      }));
      const now = new Date().toISOString();
      await h.store.store.writeHistoryPage({
        businessId: BigInt(BUSINESS),
        chatId: BigInt(chat.chatId),
        runId: null,
        messages,
        completedAt: null,
        now,
      });
      await h.source.indexer.catchUp();
      await openChat(page, chat.chatId);
      const log = page.getByRole('log', { name: 'Сообщения' });
      await expect.poll(() => log.textContent(), { timeout: 10_000 }).toContain('сообщение 3000');
      const rows = await log.locator('[data-vkey]').count();
      expect(rows).toBeGreaterThan(5);
      expect(rows).toBeLessThan(100);
      const oldest = (await h.source.history(BUSINESS, chat.chatId, { limit: 100_000 }))[0]!;
      await expect
        .poll(async () => {
          await log.evaluate((el) => {
            el.scrollTop = 0;
          });
          return log.locator('.msg').first().getAttribute('data-message-id');
        })
        .toBe(String(oldest.messageId));
    });

    it('logs in from a login form whose session was dropped meanwhile (expiry, or a flood of new sessions)', async () => {
      const context = await b.context({ viewport: { width: 1280, height: 800 } });
      const p = await context.newPage();
      p.setDefaultTimeout(8000);
      await p.goto(h.url);
      await p.getByLabel('Логин').fill('boris');
      await p.getByLabel('Пароль').fill('boris-pass');
      await h.store.store.database().run("DELETE FROM inbox_sessions WHERE kind = 'anonymous'");
      await p.getByRole('button', { name: 'Войти' }).click();
      await p.getByRole('list', { name: 'Чаты' }).waitFor();
      await context.close();
    });

    it("downloads an attachment, and shows why when the server cannot fetch one (a host that is not the platform's)", async () => {
      const files = await h.store.store.database().all(
        `SELECT m.chat_id, f.name, f.url FROM message_files f
           JOIN messages m ON m.business_id = f.business_id AND m.message_id = f.message_id
          WHERE (SELECT COUNT(*) FROM messages x WHERE x.business_id = m.business_id AND x.chat_id = m.chat_id) <= 10
          ORDER BY m.message_id`,
      );
      // In short chats: the log renders only the messages near what it shows.
      const isImage = (name: unknown) => /\.(png|jpe?g|gif|webp)$/i.test(String(name));
      const doc = files.find((f) => !isImage(f.name))!;
      const image = files.find((f) => isImage(f.name));
      expect([doc, image].every((f) => f !== undefined)).toBe(true);
      const link = (p: Page, url: unknown) => p.locator(`a.file[href*="${encodeURIComponent(String(url))}"]`);
      // Through the inbox that may fetch it: the click saves the file under its name.
      await page.goto(`${h.url}/chats/${BUSINESS}/${doc.chat_id}`);
      const saved = page.waitForEvent('download');
      await link(page, doc.url).click();
      expect((await saved).suggestedFilename()).toBe(String(doc.name));
      // A seeded photo is a picture the browser draws (it was a JPEG marker and noise: a broken image).
      await page.goto(`${h.url}/chats/${BUSINESS}/${image!.chat_id}`);
      const photo = page.locator(`img[alt="${String(image!.name)}"]`).first();
      await expect
        .poll(() => photo.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 })
        .toBeGreaterThan(0);
      // Through an inbox whose fetcher refuses the host: the page says why, for a download and an image.
      const refusing = await serveInbox(h, {
        fetchFile: credentialFetcher({
          apiKey: 'unused-key-000000',
          allowedOrigins: ['https://files.example.invalid'],
        }),
      });
      const context = await b.context({ viewport: { width: 1280, height: 800 } });
      try {
        const p = await context.newPage();
        p.setDefaultTimeout(8000);
        const base = refusing.url;
        const host = new URL(String(doc.url)).host;
        await p.goto(`${base}/chats/${BUSINESS}/${doc.chat_id}`);
        await link(p, doc.url).click();
        // In the page's language (Russian by default), worded from the error code, not the server's English.
        const problem = p.locator('.attachment', { has: link(p, doc.url) }).getByRole('alert');
        await expect
          .poll(() => problem.textContent())
          .toBe(
            `Файл не получен: ссылка ведёт на ${host}, а не на файловый сервер Маркета, ` +
              'поэтому файл не запрашивается с ключом продавца',
          );
        // The JSON keeps the server's English text for logs and API users.
        const answer = await apiGet(p, `${base}${await link(p, doc.url).getAttribute('href')}`);
        expect(answer.status()).toBe(502);
        expect(await answer.json()).toEqual({
          error: {
            code: 'FILE_HOST_NOT_ALLOWED',
            message: expect.stringContaining(`attachment host ${host} is not the platform's file host`),
          },
        });
        await p.goto(`${base}/chats/${BUSINESS}/${image!.chat_id}`);
        const shown = p.locator('.attachment', { has: link(p, image!.url) }).getByRole('alert');
        await expect.poll(() => shown.textContent()).toContain('а не на файловый сервер Маркета');
        await p.getByRole('button', { name: 'English' }).click();
        await expect
          .poll(() => shown.textContent())
          .toBe(
            `File not fetched: the link points to ${new URL(String(image!.url)).host}, not the platform's ` +
              "file host, so the file is not fetched with the seller's credential",
          );
      } finally {
        await context.close();
        await refusing.close();
      }
    });

    it('broke no Content-Security-Policy rule on the way', () => {
      expect(cspErrors).toEqual([]);
    });
  });
}

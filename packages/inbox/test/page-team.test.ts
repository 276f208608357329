/**
 * The page as a support team adopting it meets it (issue 22): files previewed before they go, a phone
 * screen that never scrolls sideways, the keyboard (Esc, the skip link, the cheat sheet), what draws
 * attention (the tab title, unread marks, notifications on request), how long the buyer has waited, and
 * times in the page's language with day separators. Real Chromium, the real emulator and store.
 * YM_PAGE_SHOTS=/some/dir writes a screenshot of each state there, to look at.
 */
import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, chromiumReady, loginPage, type OpenBrowser, openBrowser } from './support/browser.js';
import { BUSINESS, type Harness, startHarness, teamAgent } from './support/inbox-server.js';
import { syncPass } from './support/sync-pass.js';

const SHOTS = process.env.YM_PAGE_SHOTS;

/** A 2×2 PNG the browser can draw (a thumbnail must show a picture, not a broken image). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP8z8DwnwEJMCFzsAsAAGxlAgMlHMRmAAAAAElFTkSuQmCC',
  'base64',
);

interface QueueChat {
  chatId: number;
  status: string;
  waitingSince?: string;
  context: { type?: string; orderId?: number; returnId?: number; customerName?: string };
}

if (chromiumReady()) {
  describe('the inbox page for a support team', () => {
    let h: Harness;
    let b: OpenBrowser;
    let anna: BrowserContext;
    let page: Page;
    const cspErrors: string[] = [];
    /** The chats waiting at the start, one per test that replies, so no test finds another's leftovers. */
    let waiting: QueueChat[] = [];

    async function shot(p: Page, name: string) {
      if (SHOTS) await p.screenshot({ path: `${SHOTS}/${name}.png` });
    }

    async function buyerWrites(chatId: number, message: string) {
      await h.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message });
      await syncPass(h.store.store, h.api, BUSINESS);
    }

    async function queue(p: Page = page, params = 'limit=200'): Promise<QueueChat[]> {
      const res = await apiGet(p, `${h.url}/api/queue?${params}`);
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

    const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth);

    beforeAll(async () => {
      if (SHOTS) mkdirSync(SHOTS, { recursive: true });
      h = await startHarness({
        host: '0.0.0.0',
        seed: 23,
        inbox: { pageRefreshMs: 3_600_000, sends: { settleMs: 1500, heartbeatMs: 200, staleAfterMs: 1000 } },
        agents: [await teamAgent('anna', 'Анна'), await teamAgent('boris', 'Борис')],
      });
      b = await openBrowser();
      // The browser's locale is English: the page's language (Russian) must decide how times read.
      anna = await b.context({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
      page = await login(anna, 'anna', 'anna-pass');
      waiting = (await queue()).filter((c) => c.status === 'WAITING_FOR_PARTNER' && !c.context.returnId);
      expect(waiting.length).toBeGreaterThanOrEqual(5);
    }, 60_000);

    afterAll(async () => {
      await b?.close();
      await h?.close();
    });

    it('previews chosen files and sends nothing before Send; Cancel sends nothing at all', async () => {
      const chat = waiting[0]!;
      await openChat(page, chat.chatId);
      const before = (await h.admin.state()).totals;
      await page.locator('input[type=file]').setInputFiles([
        { name: 'фото.png', mimeType: 'image/png', buffer: PNG },
        { name: 'чек.txt', mimeType: 'text/plain', buffer: Buffer.from('Кассовый чек') },
      ]);
      const preview = page.getByRole('group', { name: 'Файлы к отправке' });
      await expect
        .poll(() => preview.locator('li').allTextContents())
        .toEqual(['фото.png1 КБ×', 'чек.txt1 КБ×']);
      const thumb = preview.locator('img.thumb');
      await expect.poll(() => thumb.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(2);
      expect(await thumb.getAttribute('src')).toMatch(/^blob:/);
      await shot(page, 'files-preview-desktop');
      expect((await h.admin.state()).totals).toEqual(before);
      await preview.getByRole('button', { name: 'Отмена' }).click();
      await expect.poll(() => preview.count()).toBe(0);
      expect((await h.admin.state()).totals).toEqual(before);
      expect(await page.locator('.out').count()).toBe(0);
    });

    it('sends several files one after another, then the caption as the reply text', async () => {
      const chat = waiting[1]!;
      await openChat(page, chat.chatId);
      const before = (await history(chat.chatId)).length;
      await page.locator('input[type=file]').setInputFiles([
        { name: 'фото.png', mimeType: 'image/png', buffer: PNG },
        { name: 'чек.txt', mimeType: 'text/plain', buffer: Buffer.from('Кассовый чек') },
      ]);
      const preview = page.getByRole('group', { name: 'Файлы к отправке' });
      await preview.getByRole('textbox', { name: 'Подпись (необязательно)' }).fill('Фото и чек по заказу');
      await preview.getByRole('button', { name: 'Отправить', exact: true }).click();
      await expect
        .poll(
          () => page.locator('.out').evaluateAll((items) => items.map((i) => i.getAttribute('data-state'))),
          {
            timeout: 15_000,
          },
        )
        .toEqual(['sent', 'sent', 'sent']);
      const added = (await history(chat.chatId)).slice(before);
      expect(added.map((m) => m.payload?.[0]?.name ?? m.message)).toEqual([
        'фото.png',
        'чек.txt',
        'Фото и чек по заказу',
      ]);
      expect(added.every((m) => m.sender === 'PARTNER')).toBe(true);
      await shot(page, 'files-sent-desktop');
    });

    it("asks once for a batch sent over a colleague's assignment, and Cancel gives the files back", async () => {
      const chat = waiting[2]!;
      await openChat(page, chat.chatId);
      // The select shows boris at once; the server has him once its answer is back (the send below must
      // find the chat his).
      const assigned = page.waitForResponse(
        (r) => r.request().method() === 'POST' && r.url().endsWith(`/chats/${chat.chatId}/assign`),
      );
      await page.locator('.chat-head select').selectOption('boris');
      expect((await assigned).status()).toBe(200);
      const before = (await history(chat.chatId)).length;
      const preview = page.getByRole('group', { name: 'Файлы к отправке' });
      const choose = () =>
        page.locator('input[type=file]').setInputFiles([
          { name: 'акт.txt', mimeType: 'text/plain', buffer: Buffer.from('Акт') },
          { name: 'фото.png', mimeType: 'image/png', buffer: PNG },
        ]);
      // Cancel at the question: nothing is sent, and the files and caption are back in the preview.
      await choose();
      await preview.getByRole('textbox', { name: 'Подпись (необязательно)' }).fill('Документы');
      await preview.getByRole('button', { name: 'Отправить', exact: true }).click();
      const dialog = page.getByRole('alertdialog');
      await expect.poll(() => dialog.textContent()).toContain('Чат назначен на boris');
      await shot(page, 'files-question-desktop');
      // The question takes the focus on its safe answer, so Esc (or Enter) cancels.
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Отмена');
      await page.keyboard.press('Escape');
      await expect.poll(() => preview.locator('li .name').allTextContents()).toEqual(['акт.txt', 'фото.png']);
      expect(await preview.getByRole('textbox').inputValue()).toBe('Документы');
      expect((await history(chat.chatId)).length).toBe(before);
      // Reply anyway, once, for the whole batch.
      await preview.getByRole('button', { name: 'Отправить', exact: true }).click();
      await dialog.getByRole('button', { name: 'Ответить всё равно' }).click();
      await expect
        .poll(
          () => page.locator('.out').evaluateAll((items) => items.map((i) => i.getAttribute('data-state'))),
          { timeout: 15_000 },
        )
        .toEqual(['sent', 'sent', 'sent']);
      expect(await dialog.count()).toBe(0);
      const added = (await history(chat.chatId)).slice(before);
      expect(added.map((m) => m.payload?.[0]?.name ?? m.message)).toEqual([
        'акт.txt',
        'фото.png',
        'Документы',
      ]);
    });

    it('opens the preview for files dropped on the reply area or pasted into the reply box', async () => {
      const chat = waiting[3]!;
      await page.goto(h.url);
      const link = page.locator(`.chat-item[data-chat-id="${chat.chatId}"] a`);
      await link.waitFor();
      const before = (await h.admin.state()).totals.files;
      // Dropped the moment the reply area appears, before any paint: the area takes the file, and the
      // preview that opens has the focus on its caption at once (an Enter then sends, not a new line).
      const atOnce = await page.evaluate(
        (chatId) =>
          new Promise<{ preview: boolean; focus: string | null }>((resolve) => {
            const watch = new MutationObserver(async () => {
              const zone = document.querySelector('section.reply');
              if (!zone) return;
              watch.disconnect();
              const files = new DataTransfer();
              files.items.add(new File(['накладная'], 'накладная.txt', { type: 'text/plain' }));
              for (const type of ['dragover', 'drop'])
                zone.dispatchEvent(
                  new DragEvent(type, { dataTransfer: files, bubbles: true, cancelable: true }),
                );
              await Promise.resolve();
              resolve({
                preview: document.querySelector('.file-preview') !== null,
                focus: document.activeElement?.getAttribute('aria-label') ?? null,
              });
            });
            watch.observe(document.body, { childList: true, subtree: true });
            document.querySelector<HTMLAnchorElement>(`.chat-item[data-chat-id="${chatId}"] a`)?.click();
          }),
        chat.chatId,
      );
      expect(atOnce).toEqual({ preview: true, focus: 'Подпись (необязательно)' });
      const preview = page.getByRole('group', { name: 'Файлы к отправке' });
      await expect.poll(() => preview.locator('li .name').allTextContents()).toEqual(['накладная.txt']);
      await page.getByRole('textbox', { name: 'Ответ' }).evaluate((box) => {
        const dt = new DataTransfer();
        dt.items.add(new File(['скриншот'], 'скриншот.png', { type: 'image/png' }));
        box.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }),
        );
      });
      await expect
        .poll(() => preview.locator('li .name').allTextContents())
        .toEqual(['накладная.txt', 'скриншот.png']);
      expect(await page.getByRole('textbox', { name: 'Ответ' }).inputValue()).toBe('');
      // Esc cancels the preview like its Cancel button.
      await page.keyboard.press('Escape');
      await expect.poll(() => preview.count()).toBe(0);
      expect((await h.admin.state()).totals.files).toBe(before);
    });

    it('leaves the reply box with Esc, so "j" opens the next chat instead of being typed', async () => {
      const list = await queue(page, '');
      const [chat, next] = [list[0]!, list[1]!];
      await openChat(page, chat.chatId);
      const box = page.getByRole('textbox', { name: 'Ответ' });
      await box.click();
      await page.keyboard.press('Escape');
      expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('TEXTAREA');
      await page.keyboard.press('j');
      await expect.poll(() => page.url()).toContain(`/chats/${BUSINESS}/${next.chatId}`);
      expect(await page.getByRole('textbox', { name: 'Ответ' }).inputValue()).toBe('');
      // The cheat sheet tells "j" from "k".
      await page.keyboard.press('?');
      const sheet = page.getByRole('dialog', { name: 'Горячие клавиши' });
      const rows = await sheet.locator('dl > div').allTextContents();
      expect(rows).toContain('jСледующий чат');
      expect(rows).toContain('kПредыдущий чат');
      await shot(page, 'cheat-sheet-desktop');
      await page.keyboard.press('Escape');
      await expect.poll(() => sheet.count()).toBe(0);
      // The sheet's Close button has the focus the moment the sheet appears, before any paint, so an
      // Enter pressed at once closes it.
      const focusedAtOnce = await page.evaluate(
        () =>
          new Promise<string | null>((resolve) => {
            const watch = new MutationObserver(() => {
              if (!document.querySelector('[role="dialog"]')) return;
              watch.disconnect();
              resolve(document.activeElement?.textContent ?? null);
            });
            watch.observe(document.body, { childList: true, subtree: true });
            document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true }));
          }),
      );
      expect(focusedAtOnce).toBe('Закрыть');
      await page.keyboard.press('Escape');
      await expect.poll(() => sheet.count()).toBe(0);
    });

    it('takes the keys from the moment the inbox appears: "?" pressed at once opens the cheat sheet', async () => {
      const context = await b.context({ viewport: { width: 1366, height: 768 } });
      // In every document of this context: "?" pressed in the microtask the inbox appears after the login,
      // before any paint.
      await context.addInitScript(() => {
        const watch = new MutationObserver(() => {
          if (!document.querySelector('nav.queue')) return;
          watch.disconnect();
          document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true }));
        });
        watch.observe(document, { childList: true, subtree: true });
      });
      try {
        const p = await login(context, 'boris', 'boris-pass');
        await p.getByRole('dialog', { name: 'Горячие клавиши' }).waitFor();
      } finally {
        await context.close();
      }
    });

    it('reaches the skip link first with Tab, and it moves focus to the conversation', async () => {
      const chat = (await queue())[0]!;
      await page.goto(`${h.url}/chats/${BUSINESS}/${chat.chatId}`);
      await page.getByRole('log', { name: 'Сообщения' }).waitFor();
      await page.keyboard.press('Tab');
      const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
      expect(await focused()).toBe('К переписке');
      expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
      await shot(page, 'skip-link-desktop');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('log');
      expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
      // From there on, round the whole page (the body is where the browser's own UI would be), every stop
      // Tab makes shows where the focus is.
      const stops = new Set<string>();
      for (let i = 0; i < 24; i++) {
        await page.keyboard.press('Tab');
        const seen = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          const style = getComputedStyle(el);
          return { tag: el.tagName, what: el.outerHTML.slice(0, 80), outline: style.outlineStyle };
        });
        if (seen.tag === 'BODY') continue;
        stops.add(seen.tag);
        expect(seen.outline, seen.what).toBe('solid');
      }
      expect([...stops].sort()).toEqual(['A', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA']);
    });

    it('counts the waiting chats in the tab title', async () => {
      await page.goto(h.url);
      await page.getByRole('list', { name: 'Чаты' }).waitFor();
      const waiting = (await queue(page, '')).filter((c) => c.waitingSince).length;
      await expect.poll(() => page.title()).toBe(`(${waiting}) ym-chats`);
      const calm = (await queue(page, '')).find((c) => !c.waitingSince)!;
      await buyerWrites(calm.chatId, 'Подскажите, пожалуйста, статус');
      await expect.poll(() => page.title(), { timeout: 10_000 }).toBe(`(${waiting + 1}) ym-chats`);
    });

    it('marks chats with buyer messages the agent has not opened since, per agent and across reloads', async () => {
      const chat = (await queue(page, '')).find((c) => c.status !== 'WAITING_FOR_PARTNER')!;
      await openChat(page, chat.chatId);
      const item = page.locator(`.chat-item[data-chat-id="${chat.chatId}"]`);
      await expect.poll(() => item.getAttribute('class')).not.toContain('unread');
      await page.goto(h.url);
      await page.getByRole('list', { name: 'Чаты' }).waitFor();
      await buyerWrites(chat.chatId, 'Алло, вы тут?');
      await expect.poll(() => item.getAttribute('class'), { timeout: 10_000 }).toContain('unread');
      expect(await item.locator('.sr-only').textContent()).toBe('Непрочитано');
      await shot(page, 'unread-desktop');
      await openChat(page, chat.chatId);
      await expect.poll(() => item.getAttribute('class')).not.toContain('unread');
      await page.reload();
      await page.getByRole('list', { name: 'Чаты' }).waitFor();
      expect(await item.getAttribute('class')).not.toContain('unread');
      // Boris has not opened it: unread for him.
      const boris = await b.context({ viewport: { width: 1366, height: 768 } });
      try {
        const other = await login(boris, 'boris', 'boris-pass');
        await expect
          .poll(() => other.locator(`.chat-item[data-chat-id="${chat.chatId}"]`).getAttribute('class'))
          .toContain('unread');
      } finally {
        await boris.close();
      }
    });

    it('turns notifications on only at a click', async () => {
      const context = await b.context({ viewport: { width: 1366, height: 768 } });
      try {
        const p = await login(context, 'boris', 'boris-pass');
        expect(await p.evaluate(() => Notification.permission)).toBe('default');
        const bell = p.getByRole('button', { name: 'Уведомления о новых сообщениях' });
        expect(await bell.getAttribute('aria-pressed')).toBe('false');
        await context.grantPermissions(['notifications'], { origin: h.url });
        await bell.click();
        await expect.poll(() => bell.getAttribute('aria-pressed')).toBe('true');
        await bell.click();
        await expect.poll(() => bell.getAttribute('aria-pressed')).toBe('false');
      } finally {
        await context.close();
      }
    });

    it('chimes for a new buyer message only after this agent turned sound on, and remembers it', async () => {
      const context = await b.context({ viewport: { width: 1366, height: 768 } });
      // Counts the chimes' tones: each chime starts two oscillators.
      await context.addInitScript(() => {
        const w = window as unknown as { tones: number };
        w.tones = 0;
        const create = AudioContext.prototype.createOscillator;
        AudioContext.prototype.createOscillator = function (this: AudioContext) {
          w.tones += 1;
          return create.call(this);
        };
      });
      const tones = (p: Page) => p.evaluate(() => (window as unknown as { tones: number }).tones);
      try {
        const p = await login(context, 'boris', 'boris-pass');
        const speaker = p.getByRole('button', { name: 'Звук, когда покупатель ждёт ответа' });
        expect(await speaker.getAttribute('aria-pressed')).toBe('false');
        // Chats already waiting, at the top of the queue: the tests below need the calm ones calm.
        const [quiet, loud] = (await queue(p, '')).filter((c) => c.waitingSince);
        await buyerWrites(quiet!.chatId, 'Есть кто-нибудь?');
        const item = (chatId: number) => p.locator(`.chat-item[data-chat-id="${chatId}"]`);
        await expect
          .poll(() => item(quiet!.chatId).textContent(), { timeout: 10_000 })
          .toContain('Есть кто-нибудь?');
        expect(await tones(p)).toBe(0);
        await speaker.click();
        await expect.poll(() => speaker.getAttribute('aria-pressed')).toBe('true');
        // Turning it on plays it once, so the agent hears what it sounds like.
        expect(await tones(p)).toBe(2);
        await buyerWrites(loud!.chatId, 'Ответьте, пожалуйста');
        await expect.poll(() => item(loud!.chatId).textContent(), { timeout: 10_000 }).toContain('Ответьте');
        await expect.poll(() => tones(p)).toBe(4);
        await p.reload();
        await expect
          .poll(() =>
            p
              .getByRole('button', { name: 'Звук, когда покупатель ждёт ответа' })
              .getAttribute('aria-pressed'),
          )
          .toBe('true');
      } finally {
        await context.close();
      }
    });

    it("names a return chat's order in its header, beside the return", async () => {
      const chats = await queue(page, 'limit=200');
      const ret = chats.find((c) => c.context.type === 'RETURN' && c.context.orderId && c.context.returnId);
      expect(ret).toBeDefined();
      await page.goto(`${h.url}/chats/${BUSINESS}/${ret!.chatId}`);
      const title = page.locator('.chat-head h2');
      await expect
        .poll(() => title.textContent())
        .toContain(`Возврат ${ret!.context.returnId} · Заказ ${ret!.context.orderId} · `);
      // An order chat's header is unchanged: its order, then the buyer.
      const order = chats.find((c) => c.context.type === 'ORDER' && c.context.orderId)!;
      await page.goto(`${h.url}/chats/${BUSINESS}/${order.chatId}`);
      await expect.poll(() => title.textContent()).toMatch(new RegExp(`^Заказ ${order.context.orderId} · `));
    });

    it('says in the header how long the buyer has waited, live', async () => {
      const calm = (await queue(page, '')).find((c) => !c.waitingSince && c.status !== 'FINISHED')!;
      await buyerWrites(calm.chatId, 'Когда привезут?');
      await page.goto(`${h.url}/chats/${BUSINESS}/${calm.chatId}`);
      const wait = page.locator('.chat-head .wait');
      await expect.poll(() => wait.textContent(), { timeout: 10_000 }).toMatch(/^Покупатель ждёт \d+ с$/);
      const before = await wait.textContent();
      await expect.poll(() => wait.textContent(), { timeout: 5000 }).not.toBe(before);
    });

    it("writes times in the page's language without seconds, under day separators", async () => {
      const chat = (await queue())[3]!;
      await buyerWrites(chat.chatId, 'Сегодняшнее сообщение');
      await page.goto(`${h.url}/chats/${BUSINESS}/${chat.chatId}`);
      // By role alone: its name changes with the language below.
      const log = page.getByRole('log');
      await expect.poll(() => log.locator('.text').last().textContent()).toBe('Сегодняшнее сообщение');
      // The browser is en-US; the page is Russian: "05:36", not "5:36:14 AM".
      expect(await log.locator('.msg time').last().textContent()).toMatch(/^\d{2}:\d{2}$/);
      expect(await log.locator('.day').last().textContent()).toBe('Сегодня');
      const days = await log.locator('.day').allTextContents();
      expect(new Set(days).size).toBe(days.length);
      await shot(page, 'times-desktop');
      await page.getByRole('button', { name: 'English' }).click();
      await expect.poll(() => log.locator('.day').last().textContent()).toBe('Today');
      expect(await log.locator('.msg time').last().textContent()).toMatch(/^\d{2}:\d{2}\s[AP]M$/);
      await shot(page, 'times-english-desktop');
      await page.getByRole('button', { name: 'Русский' }).click();
    });

    it('never scrolls sideways on a 390 px phone: a long buyer word, a send, a question, the preview', async () => {
      const context = await b.context({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      try {
        const p = await login(context, 'anna', 'anna-pass');
        // Measured with the queue's rows in it, not the empty list before its first read answers.
        await p.locator('.chat-item').first().waitFor();
        await shot(p, 'phone-queue');
        expect(await overflow(p)).toBeLessThanOrEqual(390);
        const chat = waiting[4]!;
        await buyerWrites(chat.chatId, `${'Ы'.repeat(300)} https://example.com/${'a'.repeat(300)}`);
        await p.goto(`${h.url}/chats/${BUSINESS}/${chat.chatId}`);
        const log = p.getByRole('log', { name: 'Сообщения' });
        await expect.poll(() => log.locator('.text').last().textContent()).toContain('ЫЫЫ');
        // The search bar gives way to the chat.
        expect(await p.getByRole('searchbox', { name: 'Поиск' }).isVisible()).toBe(false);
        await p
          .getByRole('textbox', { name: 'Ответ' })
          .fill('Здравствуйте! Проверяем ваш заказ, ответим в течение часа.');
        await p.getByRole('button', { name: 'Отправить', exact: true }).click();
        await expect.poll(() => p.locator('.out').last().getAttribute('data-state')).toBe('sent');
        await shot(p, 'phone-after-send');
        expect(await overflow(p)).toBeLessThanOrEqual(390);
        const send = await p.getByRole('button', { name: 'Отправить', exact: true }).boundingBox();
        expect(send!.x + send!.width).toBeLessThanOrEqual(390);
        // A question dialog.
        await p.getByRole('textbox', { name: 'Ответ' }).fill('Возврат {returnId} оформлен.');
        await p.getByRole('button', { name: 'Отправить', exact: true }).click();
        await p.getByRole('alertdialog').waitFor();
        await expect.poll(() => p.evaluate(() => document.activeElement?.textContent)).toBe('Отмена');
        await shot(p, 'phone-question');
        expect(await overflow(p)).toBeLessThanOrEqual(390);
        await p.keyboard.press('Escape');
        await expect.poll(() => p.getByRole('alertdialog').count()).toBe(0);
        await p.getByRole('textbox', { name: 'Ответ' }).fill('');
        // The preview of a file with a long name.
        await p
          .locator('input[type=file]')
          .setInputFiles([
            { name: `${'очень-длинное-имя-файла-'.repeat(8)}.png`, mimeType: 'image/png', buffer: PNG },
          ]);
        await p.getByRole('group', { name: 'Файлы к отправке' }).waitFor();
        await shot(p, 'phone-preview');
        expect(await overflow(p)).toBeLessThanOrEqual(390);
        await p.getByRole('button', { name: 'Отмена' }).click();
      } finally {
        await context.close();
      }
    });

    it('broke no Content-Security-Policy rule on the way (blob: thumbnails included)', () => {
      expect(cspErrors).toEqual([]);
    });
  });
}

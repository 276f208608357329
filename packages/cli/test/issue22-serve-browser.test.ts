/**
 * Issue 22's first "Done when", line by line, as a support team meets it: an agent made by `ym-chats agents
 * add`, the built `ym-chats serve` (a child process) on a SQLite store that `ym-chats sync` filled from the
 * real emulator, Debian's Chromium at 1280×800 and 390×844. Each check compares the page with an outside
 * reference — the emulator's chats and histories read through the SDK, or what this file seeded — never
 * with the page's own figures. The desktop browser runs in en-US on purpose: the page stays Russian.
 * A failing check leaves a screenshot at /tmp/issue22-e2e-<test>.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Chat, type ChatMessage, ChatsApi, type GetChatsRequest } from '@ym-chats/sdk';
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_MISSING, HAVE_CHROMIUM } from '@ym-chats/testkit';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  API_KEY,
  BUSINESS,
  LongRun,
  type RunResult,
  requireBuilt,
  run,
  startEmulator,
  type TestEmulator,
} from './helpers.js';

const LOGIN = 'irina';
const PASSWORD = 'issue22-e2e-password-5d0c';
/** What the page treats as a picture (client/chat.tsx draws these inline). */
const IMAGE = /\.(png|jpe?g|gif|webp)$/i;
/** A buyer who wrote "возврат" twice: a search listing a chat per matching message would show it twice. */
const RETURN_WORDS = ['Хочу оформить возврат, товар не подошёл.', 'Как сделать возврат через пункт выдачи?'];
/** The title's counts are read at most once a second after a live event: more than expect.poll's 1 s default. */
const COUNTS_FOLLOW = { timeout: 5000 };

describe.runIf(HAVE_CHROMIUM || process.env.CI === 'true')(
  'issue 22: the inbox a team adopts, in Chromium against the built serve',
  () => {
    let emu: TestEmulator;
    let api: ChatsApi;
    let dir: string;
    let store: string[];
    let added: RunResult;
    let serve: LongRun;
    let url: string;
    let browser: Browser;
    let desktop: BrowserContext;
    let page: Page;
    let phone: BrowserContext | undefined;
    let returnChat: number;
    /** Chats no other test of this file writes to, so each check's "before" holds still. */
    const taken = new Set<number>();

    async function chats(filter: GetChatsRequest = {}): Promise<Chat[]> {
      const all: Chat[] = [];
      for await (const chat of api.iterateChats(BUSINESS, filter)) all.push(chat);
      return all;
    }

    async function history(chatId: number): Promise<ChatMessage[]> {
      const all: ChatMessage[] = [];
      for await (const m of api.iterateChatHistory(BUSINESS, chatId)) all.push(m);
      return all;
    }

    /** A chat of the emulator's for one test alone. */
    async function take(filter: GetChatsRequest, fits: (chat: Chat) => boolean = () => true): Promise<Chat> {
      const chat = (await chats(filter)).find(
        (c) => !taken.has(c.chatId) && c.chatId !== returnChat && fits(c),
      );
      if (chat === undefined)
        throw new Error(`the emulator's seed has no free chat for ${JSON.stringify(filter)}`);
      taken.add(chat.chatId);
      return chat;
    }

    const waitingCount = async () => (await chats({ statuses: ['WAITING_FOR_PARTNER'] })).length;

    function screenshotOnFailure(p: () => Page | undefined, name: string): void {
      onTestFailed(async () => {
        await p()
          ?.screenshot({ path: `/tmp/issue22-e2e-${name}.png`, fullPage: true })
          .catch(() => undefined);
      });
    }

    async function login(context: BrowserContext): Promise<Page> {
      const p = await context.newPage();
      p.setDefaultTimeout(15_000);
      await p.goto(url);
      await p.getByLabel('Логин').fill(LOGIN);
      await p.getByLabel('Пароль').fill(PASSWORD);
      await p.getByRole('button', { name: 'Войти' }).click();
      await p.getByRole('list', { name: 'Чаты' }).waitFor();
      return p;
    }

    async function openChat(p: Page, chatId: number): Promise<void> {
      await p.goto(`${url}/chats/${BUSINESS}/${chatId}`);
      await p.getByRole('log', { name: 'Сообщения' }).waitFor();
    }

    /** The chat ids the list shows, in its order. */
    const listed = (p: Page) =>
      p
        .getByRole('list', { name: 'Чаты' })
        .locator('.chat-item')
        .evaluateAll((items) => items.map((i) => Number((i as HTMLElement).dataset.chatId)));

    beforeAll(async () => {
      if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM_MISSING}; CI must run the browser tests`);
      requireBuilt();
      emu = await startEmulator();
      api = new ChatsApi({ apiKey: API_KEY, baseUrl: emu.url, pathPrefix: '/v2', rateLimit: false });
      const { chat } = await emu.admin.createChat(BUSINESS, {
        context: { type: 'DIRECT' },
        customer: { name: 'Ирина Покупатель', publicId: 'buyer-issue22-return' },
      });
      returnChat = chat.chatId;
      for (const message of RETURN_WORDS) {
        await emu.admin.postMessage(BUSINESS, returnChat, { sender: 'CUSTOMER', message });
      }
      dir = mkdtempSync(join(tmpdir(), 'ym-issue22-e2e-'));
      store = ['--store', join(dir, 'store.sqlite')];
      const synced = await run(['sync', ...store, ...emu.flags], { env: emu.env(), cwd: dir });
      expect(synced.code, synced.stderr).toBe(0);
      added = await run(
        [
          'agents',
          'add',
          LOGIN,
          '--name',
          'Ирина',
          '--businesses',
          String(BUSINESS),
          '--password-stdin',
          ...store,
        ],
        { env: emu.env(), cwd: dir, input: `${PASSWORD}\n` },
      );
      serve = new LongRun(['serve', '--port', '0', '--json', '--reconcile', '0', ...store, ...emu.flags], {
        env: emu.env(),
        cwd: dir,
      });
      url = (await serve.waitFor('stdout', /"inbox":"([^"]+)"/, 30_000))[1]!.replace(/\/$/, '');
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
      });
      desktop = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    }, 120_000);

    afterAll(async () => {
      await phone?.close();
      await desktop?.close();
      await browser?.close();
      serve?.kill('SIGINT');
      await serve?.exited;
      await emu?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('an agent made by `ym-chats agents add` logs in to the page', async () => {
      screenshotOnFailure(() => page, 'login');
      expect(added.code, added.stderr).toBe(0);
      const list = await run(['agents', 'list', '--json', ...store], { env: emu.env(), cwd: dir });
      expect(JSON.parse(list.stdout)).toEqual([{ login: LOGIN, name: 'Ирина', businessIds: [BUSINESS] }]);
      // A store with agents asks for a login, 127.0.0.1 too; a wrong password does not get in.
      page = await desktop.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(url);
      await page.getByLabel('Логин').fill(LOGIN);
      await page.getByLabel('Пароль').fill('not-the-password');
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('list', { name: 'Чаты' }).count()).toBe(0);
      await page.close();
      page = await login(desktop);
      expect(await page.evaluate(() => [navigator.language, document.documentElement.lang])).toEqual([
        'en-US',
        'ru',
      ]);
    }, 60_000);

    it('search: an order number opens its chat; "возврата" finds "возврат"; each chat listed once', async () => {
      screenshotOnFailure(() => page, 'search');
      const order = (await chats({ contextTypes: ['ORDER'] }))[0]!;
      const orderId = String(order.context?.orderId);
      const search = page.getByRole('searchbox', { name: 'Поиск' });
      await search.pressSequentially(orderId, { delay: 20 });
      const hit = page.locator(`.chat-item[data-chat-id="${order.chatId}"]`);
      // The queue lists the chat too: the search's answer is the row that says why it was found.
      await expect.poll(() => hit.locator('.reason').allTextContents()).toEqual([`Заказ № ${orderId}`]);
      const byOrder = await listed(page);
      expect(byOrder.length).toBe(new Set(byOrder).size);
      await hit.locator('a').click();
      await expect.poll(() => page.url()).toContain(`/chats/${BUSINESS}/${order.chatId}`);
      await expect.poll(() => page.locator('.chat-head h2').textContent()).toContain(orderId);

      // The buyer's words as the emulator holds them: "возврат", never the form searched for.
      const said = (await history(returnChat)).map((m) => m.message ?? '');
      expect(said.filter((text) => /возврат(?![а-яё])/.test(text))).toHaveLength(2);
      expect(said.some((text) => text.includes('возврата'))).toBe(false);
      await search.fill('');
      await search.pressSequentially('возврата', { delay: 20 });
      const found = page.locator(`.chat-item[data-chat-id="${returnChat}"]`);
      await expect.poll(() => found.count()).toBe(1);
      // One row for the chat's two matching messages, saying there are two.
      await expect.poll(() => found.locator('.hit-count').textContent()).toBe('совпадений: 2');
      const byWord = await listed(page);
      expect(byWord.length).toBeGreaterThan(0);
      expect(byWord.length).toBe(new Set(byWord).size);
      await found.locator('a').click();
      await expect.poll(() => page.url()).toContain(`/chats/${BUSINESS}/${returnChat}`);
      await expect
        .poll(() => page.getByRole('log', { name: 'Сообщения' }).textContent())
        .toContain(RETURN_WORDS[1]);
      await search.fill('');
    }, 60_000);

    it('the tab title counts the chats waiting at the emulator', async () => {
      screenshotOnFailure(() => page, 'title');
      const waiting = await waitingCount();
      expect(waiting).toBeGreaterThan(0);
      await expect.poll(() => page.title()).toBe(`(${waiting}) ym-chats`);
    }, 60_000);

    it('a Russian page in an en-US browser shows no AM/PM in the queue or the log', async () => {
      screenshotOnFailure(() => page, 'am-pm');
      // A chat with several messages, so the log has times to show.
      const chat = await take({}, (c) => c.status !== 'FINISHED');
      expect((await history(chat.chatId)).length).toBeGreaterThan(1);
      await openChat(page, chat.chatId);
      const log = page.getByRole('log', { name: 'Сообщения' });
      await log.locator('.msg').first().waitFor();
      const queue = page.getByRole('list', { name: 'Чаты' });
      await queue.locator('.chat-item').first().waitFor();
      // What is shown, and what shows on hover (a time's title carries its seconds).
      const hover = (part: typeof log) =>
        part.locator('[title]').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
      const all = [
        (await queue.textContent()) ?? '',
        (await log.textContent()) ?? '',
        ...(await hover(queue)),
        ...(await hover(log)),
      ].join('\n');
      // Not vacuous: the log does show times of day.
      expect(await log.textContent()).toMatch(/\d{1,2}:\d{2}/);
      // A marker follows a time's digits ("5:36 PM", or "5:36PM" where text nodes run together).
      expect(all.match(/\d\s?[AP]\.?\s?M(?![A-Za-z])/gi) ?? []).toEqual([]);
    }, 60_000);

    it('after Esc out of the reply box, "?" opens the cheat sheet and the reply gets no "?"', async () => {
      screenshotOnFailure(() => page, 'esc');
      const box = page.getByRole('textbox', { name: 'Ответ' });
      await box.click();
      await box.pressSequentially('Добрый день');
      await page.keyboard.press('Escape');
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null))
        .not.toBe('Ответ');
      await page.keyboard.press('?');
      const sheet = page.getByRole('dialog', { name: 'Горячие клавиши' });
      await sheet.waitFor();
      expect(await box.inputValue()).toBe('Добрый день');
      await page.keyboard.press('Escape');
      await expect.poll(() => sheet.count()).toBe(0);
      expect(await box.inputValue()).toBe('Добрый день');
      await box.fill('');
    }, 60_000);

    it('every image in a seeded chat decodes', async () => {
      screenshotOnFailure(() => page, 'images');
      // The seeded chat with pictures and the fewest messages: the virtual log renders all of it.
      let best: { chatId: number; images: number; messages: number } | undefined;
      for (const chat of await chats()) {
        const messages = await history(chat.chatId);
        const images = messages.flatMap((m) => m.payload ?? []).filter((f) => IMAGE.test(f.name)).length;
        if (images > 0 && (best === undefined || messages.length < best.messages)) {
          best = { chatId: chat.chatId, images, messages: messages.length };
        }
      }
      expect(best, 'the emulator seed has no chat with an image').toBeDefined();
      await openChat(page, best!.chatId);
      const pictures = page.getByRole('log', { name: 'Сообщения' }).locator('img');
      await expect.poll(() => pictures.count()).toBe(best!.images);
      for (const img of await pictures.all()) {
        await img.scrollIntoViewIfNeeded();
        await expect
          .poll(() =>
            img.evaluate((el) => {
              const i = el as HTMLImageElement;
              return i.complete ? i.naturalWidth : 0;
            }),
          )
          .toBeGreaterThan(0);
      }
    }, 90_000);

    it('a picked file is not sent until Send; Cancel sends nothing; Send sends it once', async () => {
      screenshotOnFailure(() => page, 'file');
      const chat = await take({ statuses: ['WAITING_FOR_PARTNER'] });
      const before = (await history(chat.chatId)).length;
      const name = 'накладная-issue22.txt';
      const file = { name, mimeType: 'text/plain', buffer: Buffer.from('Накладная № 22') };
      await openChat(page, chat.chatId);
      const input = page.locator('input[type=file]');
      const preview = page.getByRole('group', { name: 'Файлы к отправке' });
      await input.setInputFiles(file);
      await expect.poll(() => preview.textContent()).toContain(name);
      expect((await history(chat.chatId)).length).toBe(before);
      await preview.getByRole('button', { name: 'Отмена' }).click();
      await expect.poll(() => preview.count()).toBe(0);
      expect((await history(chat.chatId)).length).toBe(before);
      await input.setInputFiles(file);
      await expect.poll(() => preview.textContent()).toContain(name);
      await preview.getByRole('button', { name: 'Отправить', exact: true }).click();
      await expect.poll(() => page.locator('.out').last().getAttribute('data-state')).toBe('sent');
      const after = await history(chat.chatId);
      expect(after.length).toBe(before + 1);
      // Once: the cancelled pick never went out after all.
      expect(after.filter((m) => m.payload?.some((f) => f.name === name))).toHaveLength(1);
    }, 60_000);

    it("a template made in the dialog is inserted with /name, filled with the chat's values, sent once", async () => {
      screenshotOnFailure(() => page, 'template');
      const chat = await take(
        { contextTypes: ['ORDER'] },
        (c) => c.status !== 'FINISHED' && c.context?.customer?.name !== undefined,
      );
      const customer = chat.context!.customer!.name;
      const orderId = chat.context!.orderId!;
      await page.getByRole('button', { name: 'Шаблоны', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Шаблоны' });
      await dialog.getByRole('button', { name: 'Новый шаблон' }).click();
      await dialog.getByLabel('Название').fill('сроки-e2e');
      await dialog
        .getByLabel('Текст')
        .fill('Здравствуйте, {customerName}! Заказ {orderId} проверим сегодня.');
      await dialog.getByRole('button', { name: 'Сохранить' }).click();
      await expect.poll(() => dialog.getByRole('list').textContent()).toContain('сроки-e2e');
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);

      await openChat(page, chat.chatId);
      const box = page.getByRole('textbox', { name: 'Ответ' });
      await box.click();
      await box.pressSequentially('/сроки');
      const offered = page.getByRole('listbox', { name: 'Подходящие шаблоны' });
      const option = offered.getByRole('option', { name: /сроки-e2e/ });
      await option.click();
      const expected = `Здравствуйте, ${customer}! Заказ ${orderId} проверим сегодня.`;
      await expect.poll(() => box.inputValue()).toBe(expected);
      await page.getByRole('button', { name: 'Отправить', exact: true }).click();
      await expect.poll(() => page.locator('.out').last().getAttribute('data-state')).toBe('sent');
      const sent = (await history(chat.chatId)).filter((m) => m.message === expected);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.sender).toBe('PARTNER');
    }, 60_000);

    it('on a 390×844 phone: search opens a chat, a file preview and a reply fit the screen', async () => {
      phone = await browser.newContext({ locale: 'ru-RU', viewport: { width: 390, height: 844 } });
      let p: Page | undefined;
      screenshotOnFailure(() => p, 'phone');
      p = await login(phone);
      const width = () => p.evaluate(() => document.documentElement.scrollWidth);
      const chat = await take({ statuses: ['WAITING_FOR_PARTNER'], contextTypes: ['ORDER'] });
      const orderId = String(chat.context?.orderId);
      await p.getByRole('searchbox', { name: 'Поиск' }).pressSequentially(orderId, { delay: 20 });
      await p.locator(`.chat-item[data-chat-id="${chat.chatId}"] a`).click();
      await expect.poll(() => p.url()).toContain(`/chats/${BUSINESS}/${chat.chatId}`);
      await p.getByRole('log', { name: 'Сообщения' }).waitFor();
      expect(await width()).toBeLessThanOrEqual(390);
      // The file preview is a state of its own: it fits too, and Cancel sends nothing.
      const before = (await history(chat.chatId)).length;
      await p.locator('input[type=file]').setInputFiles({
        name: `фото-упаковки-${'очень-длинное-имя-'.repeat(4)}.txt`,
        mimeType: 'text/plain',
        buffer: Buffer.from('упаковка'),
      });
      const preview = p.getByRole('group', { name: 'Файлы к отправке' });
      await preview.waitFor();
      expect(await width()).toBeLessThanOrEqual(390);
      await preview.getByRole('button', { name: 'Отмена' }).click();
      await expect.poll(() => preview.count()).toBe(0);
      // A long link, the kind that widened the page to ~730 px after a send.
      const text = `Трек для отслеживания: https://example.ru/track/${'4'.repeat(60)}/details?from=issue22`;
      await p.getByRole('textbox', { name: 'Ответ' }).fill(text);
      const send = p.getByRole('button', { name: 'Отправить', exact: true });
      await send.click();
      await expect.poll(() => p.locator('.out').last().getAttribute('data-state')).toBe('sent');
      const after = await history(chat.chatId);
      expect(after.length).toBe(before + 1);
      expect(after.filter((m) => m.message === text)).toHaveLength(1);
      await expect.poll(() => p.getByRole('log', { name: 'Сообщения' }).textContent()).toContain(text);
      expect(await width()).toBeLessThanOrEqual(390);
      // Send stays on the screen.
      const box = await send.boundingBox();
      expect(box !== null && box.x >= 0 && box.x + box.width <= 390).toBe(true);
      // Answered, the chat stops waiting: the title follows the emulator. Its counts follow live events at
      // most once a second (client/app.tsx), the reply's event may have started that second just now, and a
      // poll's default deadline is that same second: the deadline covers the page's period.
      const waiting = await waitingCount();
      await expect
        .poll(() => p.title(), COUNTS_FOLLOW)
        .toBe(waiting > 0 ? `(${waiting}) ym-chats` : 'ym-chats');
    }, 60_000);
  },
);

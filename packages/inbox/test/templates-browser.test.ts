/**
 * Templates as a team uses them, in headless Chromium against the real emulator and a real store: one
 * agent makes a template in the Templates dialog, a colleague sees it, `/name` in the reply box inserts it
 * with the chat's values filled (and the agent's name), a variable the chat has no value for is marked and
 * asked for before anything is sent, and the server refuses a raw `{…}` whatever the page does. axe-core
 * checks the dialog; screenshots of it (desktop and 390 px) go to a temp directory, or to docs/ under
 * YM_UPDATE_SCREENSHOTS=1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, chromiumReady, loginPage, type OpenBrowser, openBrowser } from './support/browser.js';
import { BUSINESS, type Harness, startHarness, teamAgent } from './support/inbox-server.js';

const UPDATE_SCREENSHOTS = process.env.YM_UPDATE_SCREENSHOTS === '1';
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));

interface QueueChat {
  chatId: number;
  status: string;
  context: { orderId?: number; returnId?: number; customerName?: string };
}

if (chromiumReady()) {
  describe('templates in the page', () => {
    let h: Harness;
    let b: OpenBrowser;
    let page: Page;
    let shots = DOCS;

    const login = (context: BrowserContext, name: string, password: string) =>
      loginPage(context, h.url, { login: name, password });

    async function queue(): Promise<QueueChat[]> {
      const res = await apiGet(page, `${h.url}/api/queue?limit=200`);
      return ((await res.json()) as { chats: QueueChat[] }).chats;
    }

    async function lastText(chatId: number): Promise<string | undefined> {
      const all = [];
      for await (const m of h.api.iterateChatHistory(BUSINESS, chatId)) all.push(m);
      return all.at(-1)?.message;
    }

    async function openChat(p: Page, chatId: number) {
      await p.locator(`.chat-item[data-chat-id="${chatId}"] a`).click();
      await p.getByRole('log', { name: 'Сообщения' }).waitFor();
    }

    const dialog = (p: Page) => p.getByRole('dialog', { name: 'Шаблоны' });

    beforeAll(async () => {
      shots = UPDATE_SCREENSHOTS ? DOCS : `${mkdtempSync(join(tmpdir(), 'inbox-templates-'))}/`;
      h = await startHarness({
        seed: 11,
        inbox: { pageRefreshMs: 3_600_000, sends: { settleMs: 1500, heartbeatMs: 200, staleAfterMs: 1000 } },
        agents: [await teamAgent('anna', 'Анна'), await teamAgent('boris', 'Борис')],
      });
      b = await openBrowser();
      page = await login(await b.context({ viewport: { width: 1280, height: 800 } }), 'anna', 'anna-pass');
    }, 60_000);

    afterAll(async () => {
      await b?.close();
      await h?.close();
      if (shots !== DOCS) rmSync(shots, { recursive: true, force: true });
    });

    it('makes, edits and deletes templates in the dialog; a colleague sees them; axe finds nothing serious', async () => {
      await page.getByRole('button', { name: 'Шаблоны', exact: true }).click();
      const sheet = dialog(page);
      // The store's seeds for a new business.
      await expect.poll(() => sheet.getByRole('listitem').count()).toBe(4);
      // The form's first field has the focus the moment the form appears, before any paint: the focus is
      // not pulled back to it a frame later, from the field the agent has gone on to.
      const focusedAtOnce = await page.evaluate(
        () =>
          new Promise<boolean>((resolve) => {
            const watch = new MutationObserver(() => {
              const name = document.querySelector('.template-form input');
              if (!name) return;
              watch.disconnect();
              resolve(document.activeElement === name);
            });
            watch.observe(document.body, { childList: true, subtree: true });
            const add = Array.from(document.querySelectorAll('.templates-sheet button')).find(
              (b) => b.textContent === 'Новый шаблон',
            );
            (add as HTMLButtonElement | undefined)?.click();
          }),
      );
      expect(focusedAtOnce).toBe(true);
      await sheet.getByLabel('Название').fill('трек');
      await sheet.getByLabel('Текст').fill('Здравствуйте, {customerName}! Заказ {orderId}, чат {chatId}.');
      await sheet.getByRole('button', { name: 'Вставить {agentName}' }).click();
      await sheet.getByRole('button', { name: 'Сохранить' }).click();
      await expect.poll(() => sheet.getByRole('listitem').count()).toBe(5);
      expect(await sheet.getByRole('list').textContent()).toContain(
        'Здравствуйте, {customerName}! Заказ {orderId}, чат {chatId}.{agentName}',
      );
      // A name taken is refused with the server's reason; a variable that does not exist too.
      await sheet.getByRole('button', { name: 'Новый шаблон' }).click();
      await sheet.getByLabel('Название').fill('трек');
      await sheet.getByLabel('Текст').fill('другой');
      await sheet.getByRole('button', { name: 'Сохранить' }).click();
      await expect.poll(() => sheet.getByRole('alert').textContent()).toContain('exists already');
      await sheet.getByLabel('Название').fill('возврат-номер');
      await sheet.getByLabel('Текст').fill('Возврат {return}');
      await sheet.getByRole('button', { name: 'Сохранить' }).click();
      await expect.poll(() => sheet.getByRole('alert').textContent()).toContain('{return} is not a variable');
      await sheet.getByLabel('Текст').fill('Возврат {returnId} принят.');
      await sheet.getByRole('button', { name: 'Сохранить' }).click();
      await expect.poll(() => sheet.getByRole('listitem').count()).toBe(6);
      // Edit one, delete another (asked first).
      await sheet.getByRole('button', { name: 'Изменить: Заказ в пути' }).click();
      await sheet.getByLabel('Текст').fill('Заказ {orderId} уже в пути.');
      await sheet.getByRole('button', { name: 'Сохранить' }).click();
      await expect.poll(() => sheet.getByRole('list').textContent()).toContain('Заказ {orderId} уже в пути.');
      await sheet.getByRole('button', { name: 'Удалить: Thank you' }).click();
      await sheet
        .getByRole('group', { name: 'Удалить шаблон «Thank you»?' })
        .getByRole('button', { name: 'Удалить' })
        .click();
      await expect.poll(() => sheet.getByRole('listitem').count()).toBe(5);

      const axe = await new AxeBuilder({ page }).include('.templates-sheet').analyze();
      const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
      await sheet.getByRole('button', { name: 'Новый шаблон' }).click();
      await sheet.getByLabel('Название').fill('Доставка');
      await sheet
        .getByLabel('Текст')
        .fill('Здравствуйте, {customerName}! Заказ {orderId} передан в доставку.');
      const form = await new AxeBuilder({ page }).include('.templates-sheet').analyze();
      expect(form.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      await page.screenshot({ path: `${shots}templates-dialog.png` });
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Новый шаблон' }).waitFor();
      // Esc again closes the dialog; the focus goes back to its button.
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog(page).count()).toBe(0);
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Шаблоны');
      // A click that leaves the focus where it was (Safari's and Firefox-on-Mac's way with buttons) still
      // gets it back on the button when the dialog closes, not on the page's body.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.getByRole('button', { name: 'Шаблоны', exact: true }).dispatchEvent('click');
      await dialog(page).getByRole('button', { name: 'Новый шаблон' }).waitFor();
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog(page).count()).toBe(0);
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Шаблоны');
      // A click on the dialog's text leaves the focus on the page's body: Esc still closes it.
      await page.getByRole('button', { name: 'Шаблоны', exact: true }).click();
      await dialog(page).getByRole('heading', { name: 'Шаблоны' }).click();
      await expect.poll(() => page.evaluate(() => document.activeElement === document.body)).toBe(true);
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog(page).count()).toBe(0);

      // Boris, another agent of the business, sees the same list.
      const boris = await login(await b.context(), 'boris', 'boris-pass');
      await boris.getByRole('button', { name: 'Шаблоны', exact: true }).click();
      await expect.poll(() => dialog(boris).getByRole('list').textContent()).toContain('трек');
      expect(await dialog(boris).getByRole('list').textContent()).not.toContain('Thank you');
      await boris.context().close();
    }, 90_000);

    it('inserts a template with /name, filling the chat and agent; it reaches the buyer filled', async () => {
      const chat = (await queue()).find(
        (c) => c.context.orderId !== undefined && c.context.customerName && c.status !== 'FINISHED',
      )!;
      await openChat(page, chat.chatId);
      const box = page.getByRole('textbox', { name: 'Ответ' });
      await box.click();
      await box.pressSequentially('/тр');
      const offered = page.getByRole('listbox', { name: 'Подходящие шаблоны' });
      await expect
        .poll(() => offered.getByRole('option').allTextContents())
        .toEqual([expect.stringContaining('/трек')]);
      await page.keyboard.press('Enter');
      const expected = `Здравствуйте, ${chat.context.customerName}! Заказ ${chat.context.orderId}, чат ${chat.chatId}.Анна`;
      expect(await box.inputValue()).toBe(expected);
      expect(await offered.count()).toBe(0);
      await page.getByRole('button', { name: 'Отправить', exact: true }).click();
      await expect
        .poll(() => page.locator('.out').last().getAttribute('data-state'), { timeout: 10_000 })
        .toBe('sent');
      expect(await lastText(chat.chatId)).toBe(expected);
    });

    it('marks a variable the chat has no value for and asks for it; the raw {…} is never sent', async () => {
      const chat = (await queue()).find((c) => c.context.returnId === undefined && c.status !== 'FINISHED')!;
      const before = await lastText(chat.chatId);
      await openChat(page, chat.chatId);
      const box = page.getByRole('textbox', { name: 'Ответ' });
      await box.click();
      await box.pressSequentially('/возврат-');
      await page.getByRole('listbox', { name: 'Подходящие шаблоны' }).waitFor();
      await page.keyboard.press('Enter');
      expect(await box.inputValue()).toBe('Возврат {returnId} принят.');
      expect(await page.locator('.unfilled-mark').textContent()).toBe('Не заполнено: {returnId}');
      // The question has the focus on its Cancel the moment it appears, before any paint: what is typed
      // next into its field is not taken away from under the agent a frame later.
      const focusedAtOnce = await page.evaluate(
        () =>
          new Promise<string | null>((resolve) => {
            const watch = new MutationObserver(() => {
              if (!document.querySelector('[role="alertdialog"]')) return;
              watch.disconnect();
              resolve(document.activeElement?.textContent ?? null);
            });
            watch.observe(document.body, { childList: true, subtree: true });
            document.querySelector<HTMLButtonElement>('.reply-bar button.primary')?.click();
          }),
      );
      expect(focusedAtOnce).toBe('Отмена');
      const ask = page.getByRole('alertdialog');
      await expect.poll(() => ask.textContent()).toContain('{returnId}');
      const go = ask.getByRole('button', { name: 'Вставить и отправить' });
      expect(await go.isDisabled()).toBe(true);
      expect(await lastText(chat.chatId)).toBe(before);
      await ask.getByLabel('{returnId}').fill('7755');
      await go.click();
      await expect
        .poll(() => page.locator('.out').last().getAttribute('data-state'), { timeout: 10_000 })
        .toBe('sent');
      expect(await lastText(chat.chatId)).toBe('Возврат 7755 принят.');

      // The server refuses a raw variable whatever sends it (here: the API without the page).
      const { csrf } = (await (await apiGet(page, `${h.url}/api/session`)).json()) as { csrf: string };
      const raw = await page.request.post(
        `${h.url}/api/businesses/${BUSINESS}/chats/${chat.chatId}/messages`,
        {
          headers: { 'X-CSRF-Token': csrf },
          data: {
            text: 'Возврат {returnId} принят.',
            clientId: 'raw-variable-1',
            page: 'test-page-1',
            seenMessageId: 0,
          },
        },
      );
      expect(raw.status()).toBe(400);
      expect(((await raw.json()) as { error: { code: string } }).error.code).toBe('UNFILLED_VARIABLE');
      expect(await lastText(chat.chatId)).toBe('Возврат 7755 принят.');
    });

    it('fits the dialog on a 390 px phone', async () => {
      const phone = await login(
        await b.context({ viewport: { width: 390, height: 844 } }),
        'anna',
        'anna-pass',
      );
      await phone.getByRole('button', { name: 'Шаблоны', exact: true }).click();
      await dialog(phone).getByRole('listitem').first().waitFor();
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const axe = await new AxeBuilder({ page: phone }).include('.templates-sheet').analyze();
      expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      await phone.screenshot({ path: `${shots}templates-dialog-phone.png` });
      await phone.context().close();
    }, 60_000);
  });
}

/**
 * A template that carries a file, in headless Chromium against the real emulator and a real store: made
 * in the Templates dialog with an image, inserted with `/name`, it opens the reply's file preview (the
 * picture, its text as the caption); Cancel sends nothing, Send sends the file and the text once each (the
 * emulator's history says so). Deleting the template deletes its file. axe-core checks the form and the
 * preview.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { ChatMessage } from '@ym-chats/sdk';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, CHROMIUM_MISSING, HAVE_CHROMIUM, type OpenBrowser, openBrowser } from './support/browser.js';
import { BUSINESS, type Harness, startHarness, teamAgent } from './support/inbox-server.js';

interface QueueChat {
  chatId: number;
  status: string;
  context: { customerName?: string };
}

/** A real 2×2 PNG the browser decodes (signature, IHDR, IDAT, IEND). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

const serious = (
  violations: Array<{ id: string; impact?: string | null; nodes: Array<{ target: unknown[] }> }>,
) =>
  violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);

if (!HAVE_CHROMIUM && process.env.CI === 'true') {
  it('has Chromium', () => {
    throw new Error(`${CHROMIUM_MISSING}; CI must run the browser tests`);
  });
} else if (!HAVE_CHROMIUM) {
  it.skip(`skipped: ${CHROMIUM_MISSING}`, () => undefined);
} else {
  describe('a template with a file in the page', () => {
    let h: Harness;
    let b: OpenBrowser;
    let page: Page;

    async function login(context: BrowserContext, name: string, password: string): Promise<Page> {
      const p = await context.newPage();
      p.setDefaultTimeout(8000);
      await p.goto(h.url);
      await p.getByLabel('Логин').fill(name);
      await p.getByLabel('Пароль').fill(password);
      await p.getByRole('button', { name: 'Войти' }).click();
      await p.getByRole('list', { name: 'Чаты' }).waitFor();
      return p;
    }

    /** The chat's messages as the emulator has them (what the buyer sees). */
    async function history(chatId: number): Promise<ChatMessage[]> {
      const all: ChatMessage[] = [];
      for await (const m of h.api.iterateChatHistory(BUSINESS, chatId)) all.push(m);
      return all;
    }

    const dialog = (p: Page) => p.getByRole('dialog', { name: 'Шаблоны' });

    beforeAll(async () => {
      h = await startHarness({
        seed: 12,
        inbox: { pageRefreshMs: 3_600_000, sends: { settleMs: 1500, heartbeatMs: 200, staleAfterMs: 1000 } },
        agents: [await teamAgent('anna', 'Анна')],
      });
      b = await openBrowser();
      page = await login(await b.context({ viewport: { width: 1280, height: 800 } }), 'anna', 'anna-pass');
    }, 60_000);

    afterAll(async () => {
      await b?.close();
      await h?.close();
    });

    it('makes a template with an image; /name puts it in the preview; Cancel sends nothing, Send each once', async () => {
      await page.getByRole('button', { name: 'Шаблоны', exact: true }).click();
      const sheet = dialog(page);
      await sheet.getByRole('button', { name: 'Новый шаблон' }).click();
      await sheet.getByLabel('Название').fill('фото-товара');
      await sheet.getByLabel('Текст').fill('Фото товара для {customerName}');
      await sheet.locator('input[type="file"]').setInputFiles({
        name: 'товар.png',
        mimeType: 'image/png',
        buffer: PNG,
      });
      const files = sheet.getByRole('group', { name: 'Файлы' });
      await expect
        .poll(() => files.getByRole('listitem').allTextContents())
        .toEqual([expect.stringContaining('товар.png')]);
      // An empty file is refused in the page with its name (the server would refuse it too).
      await sheet.locator('input[type="file"]').setInputFiles({
        name: 'пустой.txt',
        mimeType: 'text/plain',
        buffer: Buffer.alloc(0),
      });
      await expect.poll(() => sheet.getByRole('alert').textContent()).toBe('«пустой.txt» пустой.');
      expect(await files.getByRole('listitem').count()).toBe(1);
      expect(
        serious((await new AxeBuilder({ page }).include('.templates-sheet').analyze()).violations),
      ).toEqual([]);
      await sheet.getByRole('button', { name: 'Сохранить' }).click();
      await expect
        .poll(() => sheet.getByRole('list', { name: 'Шаблоны' }).textContent())
        .toContain('Файлы: товар.png');
      // The list is read again before the form closes: Esc while it is open would close only the form.
      await expect.poll(() => sheet.getByRole('button', { name: 'Сохранить' }).count()).toBe(0);
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog(page).count()).toBe(0);

      const chats = (
        (await (await apiGet(page, `${h.url}/api/queue?limit=200`)).json()) as {
          chats: QueueChat[];
        }
      ).chats;
      const chat = chats.find((c) => c.context.customerName && c.status !== 'FINISHED')!;
      const before = await history(chat.chatId);
      await page.locator(`.chat-item[data-chat-id="${chat.chatId}"] a`).click();
      await page.getByRole('log', { name: 'Сообщения' }).waitFor();
      const box = page.getByRole('textbox', { name: 'Ответ' });
      const preview = page.getByRole('group', { name: 'Файлы к отправке' });
      const caption = `Фото товара для ${chat.context.customerName}`;

      async function insert() {
        await box.click();
        await box.pressSequentially('/фото');
        await page.getByRole('listbox', { name: 'Подходящие шаблоны' }).waitFor();
        await page.keyboard.press('Enter');
        await preview.waitFor();
        expect(await preview.getByRole('listitem').allTextContents()).toEqual([
          expect.stringContaining('товар.png'),
        ]);
        expect(await preview.getByLabel('Подпись (необязательно)').inputValue()).toBe(caption);
        expect(await box.inputValue()).toBe('');
        // The thumbnail is the template's picture, decoded by the browser.
        await expect
          .poll(() => preview.locator('img.thumb').evaluate((img: HTMLImageElement) => img.naturalWidth))
          .toBe(2);
      }

      await insert();
      expect(serious((await new AxeBuilder({ page }).include('.file-preview').analyze()).violations)).toEqual(
        [],
      );
      await preview.getByRole('button', { name: 'Отмена' }).click();
      await expect.poll(() => preview.count()).toBe(0);
      expect(await page.locator('.out').count()).toBe(0);
      expect(await history(chat.chatId)).toEqual(before);

      await insert();
      await preview.getByRole('button', { name: 'Отправить' }).click();
      await expect
        .poll(
          () => page.locator('.out').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state'))),
          {
            timeout: 15_000,
          },
        )
        .toEqual(['sent', 'sent']);
      const added = (await history(chat.chatId)).slice(before.length);
      expect(added.map((m) => [m.message ?? null, (m.payload ?? []).map((f) => [f.name, f.size])])).toEqual([
        [null, [['товар.png', PNG.length]]],
        [caption, []],
      ]);
    }, 90_000);

    it('deletes the template’s file with the template', async () => {
      const base = `${h.url}/api/businesses/${BUSINESS}/templates`;
      const { templates } = (await (await apiGet(page, base)).json()) as {
        templates: Array<{ id: number; name: string; files: Array<{ id: number }> }>;
      };
      const made = templates.find((t) => t.name === 'фото-товара')!;
      const file = `${base}/${made.id}/files/${made.files[0]!.id}`;
      const bytes = await apiGet(page, file);
      expect(bytes.status()).toBe(200);
      expect(Buffer.from(await bytes.body()).equals(PNG)).toBe(true);

      await page.getByRole('button', { name: 'Шаблоны', exact: true }).click();
      const sheet = dialog(page);
      await sheet.getByRole('button', { name: 'Удалить: фото-товара' }).click();
      await sheet
        .getByRole('group', { name: 'Удалить шаблон «фото-товара»?' })
        .getByRole('button', { name: 'Удалить' })
        .click();
      await expect
        .poll(() => sheet.getByRole('list', { name: 'Шаблоны' }).textContent())
        .not.toContain('фото-товара');
      expect((await apiGet(page, file)).status()).toBe(404);
    });
  });
}

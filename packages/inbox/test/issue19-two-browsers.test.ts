import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, chromiumReady, loginPage, type OpenBrowser, openBrowser } from './support/browser.js';
import { BUSINESS, type Harness, startHarness, teamAgent } from './support/inbox-server.js';

interface QueueChat {
  chatId: number;
  status: string;
}

/** Within the 5 s. */
const FIVE_SECONDS = { timeout: 5000 };

if (chromiumReady()) {
  describe('issue 19: two agents in two browsers, pushes off', () => {
    let h: Harness;
    let b: OpenBrowser;
    let annaContext: BrowserContext;
    let borisContext: BrowserContext;
    let anna: Page;
    let boris: Page;
    const cspErrors: string[] = [];
    let waiting: QueueChat[] = [];
    let next = 0;

    /** A waiting chat no other test of this file touched. */
    const freshChat = () => {
      const chat = waiting[next++];
      if (!chat) throw new Error('the seed has too few waiting chats for this file');
      return chat.chatId;
    };

    /** How many times `text` is in the buyer's copy of the chat (the platform's history). */
    async function copies(chatId: number, text: string): Promise<number> {
      let n = 0;
      for await (const m of h.api.iterateChatHistory(BUSINESS, chatId)) if (m.message === text) n++;
      return n;
    }

    async function openChat(p: Page, chatId: number) {
      await p.locator(`.chat-item[data-chat-id="${chatId}"] a`).click();
      await p.getByRole('log', { name: 'Сообщения' }).waitFor();
    }

    const sendButton = (p: Page) => p.getByRole('button', { name: 'Отправить', exact: true });
    const box = (p: Page) => p.getByRole('textbox', { name: 'Ответ' });
    const lastOut = (p: Page) => p.locator('.out').last();

    beforeAll(async () => {
      h = await startHarness({
        host: '0.0.0.0',
        seed: 19,
        inbox: { pageRefreshMs: 3_600_000, sends: { settleMs: 1500, heartbeatMs: 200, staleAfterMs: 1000 } },
        agents: [await teamAgent('anna', 'Анна'), await teamAgent('boris', 'Борис')],
      });
      b = await openBrowser();
      annaContext = await b.context({ viewport: { width: 1280, height: 800 } });
      borisContext = await b.context({ viewport: { width: 1280, height: 800 } });
      anna = await loginPage(annaContext, h.url, { login: 'anna', password: 'anna-pass', cspErrors });
      boris = await loginPage(borisContext, h.url, { login: 'boris', password: 'boris-pass', cspErrors });
      const res = await apiGet(anna, `${h.url}/api/queue?status=WAITING_FOR_PARTNER&limit=200`);
      waiting = ((await res.json()) as { chats: QueueChat[] }).chats;
      expect(waiting.length).toBeGreaterThanOrEqual(4);
    }, 60_000);

    afterAll(async () => {
      await b?.close();
      await h?.close();
    });

    it('a reply made through the API while the agent writes: the agent is asked, nothing is sent', async () => {
      const chatId = freshChat();
      await openChat(anna, chatId);
      const mine = 'Анна: уточняю у склада';
      await box(anna).fill(mine);
      // The seller cabinet (or another integration) answers; no push tells the store.
      const elsewhere = 'Ответ из кабинета продавца, пока Анна писала';
      await h.api.sendMessageToChat(BUSINESS, chatId, { message: elsewhere });
      await sendButton(anna).click();
      const dialog = anna.getByRole('alertdialog');
      await expect
        .poll(() => dialog.textContent())
        .toContain('Пока вы писали, в чате ответили: кто-то в кабинете продавца или в другой программе');
      expect(await dialog.locator('.said').textContent()).toContain(elsewhere);
      expect(await copies(chatId, mine)).toBe(0);
      // Cancel: the draft goes back into the box, and still nothing went out.
      await dialog.getByRole('button', { name: 'Отмена' }).click();
      expect(await box(anna).inputValue()).toBe(mine);
      expect(await copies(chatId, mine)).toBe(0);
      expect(await copies(chatId, elsewhere)).toBe(1);
      await box(anna).fill('');
    });

    it('two agents press Send at the same moment: the buyer has one answer, the other agent is asked', async () => {
      const chatId = freshChat();
      await openChat(anna, chatId);
      await openChat(boris, chatId);
      const texts = { anna: 'Анна отвечает одновременно', boris: 'Борис отвечает одновременно' };
      await box(anna).fill(texts.anna);
      await box(boris).fill(texts.boris);
      // The first send is held at the platform (within its 1 s window: it lands), so the other Send
      // arrives while the first may still land: without the chat's send lock both go out.
      await h.admin.addFaults([{ operation: 'sendMessageToChat', delayMs: 700, count: 1 }]);
      await Promise.all([sendButton(anna).click(), sendButton(boris).click()]);
      const outcome = async (p: Page) => {
        if ((await p.getByRole('alertdialog').count()) > 0) return 'asked';
        return (await p.locator('.out').count()) > 0 ? await lastOut(p).getAttribute('data-state') : null;
      };
      await expect
        .poll(async () => [await outcome(anna), await outcome(boris)].sort(), { timeout: 15_000 })
        .toEqual(['asked', 'sent']);
      const [a, bo] = await Promise.all([copies(chatId, texts.anna), copies(chatId, texts.boris)]);
      expect(a + bo).toBe(1);
      const asked = (await outcome(anna)) === 'asked' ? anna : boris;
      const winner = asked === anna ? 'boris' : 'anna';
      // Whichever question it is (the reply the other made, or the chat the other took by replying), it
      // names the colleague.
      expect(await asked.getByRole('alertdialog').textContent()).toMatch(
        new RegExp(`Пока вы писали, в чате ответили: ${winner}|Чат назначен на ${winner}`),
      );
      await asked.getByRole('alertdialog').getByRole('button', { name: 'Отмена' }).click();
      expect(await copies(chatId, asked === anna ? texts.anna : texts.boris)).toBe(0);
      await box(asked).fill('');
    });

    it("a colleague's chat: the agent is asked first, and only a yes sends", async () => {
      const chatId = freshChat();
      const path = `/api/businesses/${BUSINESS}/chats/${chatId}`;
      const assigned = await boris.evaluate(async (url) => {
        const session = (await (await fetch('/api/session')).json()) as { csrf?: string };
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf ?? '' },
          body: JSON.stringify({ login: 'boris' }),
        });
        return res.status;
      }, `${path}/assign`);
      expect(assigned).toBe(200);
      await openChat(anna, chatId);
      const mine = 'Анна отвечает в чате Бориса';
      await box(anna).fill(mine);
      await sendButton(anna).click();
      const dialog = anna.getByRole('alertdialog');
      await expect.poll(() => dialog.textContent()).toContain('Чат назначен на boris. Ответить всё равно?');
      expect(await copies(chatId, mine)).toBe(0);
      await dialog.getByRole('button', { name: 'Ответить всё равно' }).click();
      await expect.poll(() => lastOut(anna).getAttribute('data-state')).toBe('sent');
      expect(await copies(chatId, mine)).toBe(1);
    });

    it('the sender and a colleague with the chat open see the reply and the new status within 5 s', async () => {
      const chatId = freshChat();
      await openChat(anna, chatId);
      await openChat(boris, chatId);
      const status = (p: Page) => p.locator('.chat-head .status').textContent();
      expect(await status(anna)).toBe('Ждёт ответа');
      const mine = 'Здравствуйте! Посылка уже у курьера.';
      await box(anna).fill(mine);
      await sendButton(anna).click();
      await expect.poll(() => lastOut(anna).getAttribute('data-state')).toBe('sent');
      for (const p of [anna, boris]) {
        const log = p.getByRole('log', { name: 'Сообщения' });
        await expect.poll(() => log.locator('.msg .text').last().textContent(), FIVE_SECONDS).toBe(mine);
        await expect.poll(() => status(p), FIVE_SECONDS).toBe('Ждём покупателя');
      }
      expect(await copies(chatId, mine)).toBe(1);
    });

    it('broke no Content-Security-Policy rule on the way', () => {
      expect(cspErrors).toEqual([]);
    });
  });
}

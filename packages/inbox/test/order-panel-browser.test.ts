/**
 * The order beside the chat, in headless Chromium against the real emulator and a real store filled by the
 * sync engine's own passes (orders read as `serve` reads them): an ORDER chat shows its order's status in
 * words and its items, a RETURN chat its return's state; an order the platform moves on shows its new
 * status after the next pass; the buyer's other chats are links that open them (also from the keyboard);
 * the `{orderStatus}` and `{deliveryDate}` variables are filled from the panel; a 390 px phone has the panel
 * as a section that opens, with no sideways scroll; axe finds nothing serious at either size; a chat-only
 * key shows which scope it needs while the chat keeps working. The expected values come from the emulator
 * through the SDK, never from the store the page reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type BusinessOrder, ChatsApi } from '@ym-chats/sdk';
import { SyncEngine } from '@ym-chats/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiGet, CHROMIUM_MISSING, HAVE_CHROMIUM, type OpenBrowser, openBrowser } from './support/browser.js';
import { BUSINESS, type Harness, startHarness, teamAgent } from './support/inbox-server.js';

vi.setConfig({ testTimeout: 90_000 });

/** Where the screenshots go: a temp directory, or YM_ORDER_SHOTS (never the repository). */
const SHOTS_DIR = process.env.YM_ORDER_SHOTS;

interface QueueChat {
  chatId: number;
  status: string;
  waitingSince?: string;
  context: { type: string; orderId?: number; returnId?: number; customerName?: string };
}

/** The Russian words the page must show for the spec's values (what an agent reads). */
const ORDER_STATUS_RU: Record<string, string> = {
  PLACING: 'Оформляется',
  RESERVED: 'Зарезервирован',
  UNPAID: 'Не оплачен',
  PROCESSING: 'В обработке',
  DELIVERY: 'Передан в доставку',
  PICKUP: 'В пункте выдачи',
  DELIVERED: 'Получен покупателем',
  CANCELLED: 'Отменён',
  PENDING: 'Ждёт решения продавца',
  PARTIALLY_RETURNED: 'Возвращён частично',
  RETURNED: 'Возвращён',
  UNKNOWN: 'Неизвестно',
};
const ORDER_STATUS_EN: Record<string, string> = {
  PROCESSING: 'Processing',
  DELIVERY: 'Out for delivery',
  PICKUP: 'At the pickup point',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
  UNPAID: 'Not paid',
  PENDING: 'Awaiting the seller',
  RETURNED: 'Returned',
  PARTIALLY_RETURNED: 'Partly returned',
  PLACING: 'Being placed',
  RESERVED: 'Reserved',
  UNKNOWN: 'Unknown',
};
const REFUND_RU: Record<string, string> = {
  STARTED_BY_USER: 'Покупатель оформил возврат',
  REFUND_IN_PROGRESS: 'На рассмотрении',
  REFUNDED: 'Деньги возвращены',
  FAILED: 'Вернуть деньги не удалось',
  WAITING_FOR_DECISION: 'Ждёт решения',
  DECISION_MADE: 'Решение принято',
  REFUNDED_WITH_BONUSES: 'Возвращено баллами или промокодом',
  REFUNDED_BY_SHOP: 'Магазин вернул деньги сам',
  CANCELLED: 'Возврат отменён',
  REJECTED: 'Возврат отклонён',
  COMPLETE_WITHOUT_REFUND: 'Без возврата денег',
};
const SHIPMENT_RU: Record<string, string> = {
  CREATED: 'Оформлен',
  RECEIVED: 'Принят у покупателя',
  IN_TRANSIT: 'В пути',
  READY_FOR_PICKUP: 'Готов к выдаче магазину',
  PICKED: 'Выдан магазину',
  LOST: 'Утерян',
  EXPIRED: 'Покупатель не принёс товар',
  CANCELLED: 'Отменён',
};

/** Any run of spaces (Intl puts no-break and narrow spaces in amounts) as one plain space. */
const plain = (text: string | null) => (text ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** "2 030 ₽": the amount as a Russian page writes roubles. */
const rubles = (value: number) =>
  `${value.toLocaleString('ru-RU', { maximumFractionDigits: 2 }).replace(/[\u00a0\u202f]/g, ' ')} ₽`;

/** "8 декабря": a `YYYY-MM-DD` day in Russian. */
const dayRu = (day: string) =>
  new Intl.DateTimeFormat('ru-RU', { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );

if (!HAVE_CHROMIUM && process.env.CI === 'true') {
  it('has Chromium', () => {
    throw new Error(`${CHROMIUM_MISSING}; CI must run the browser tests`);
  });
} else if (!HAVE_CHROMIUM) {
  it.skip(`skipped: ${CHROMIUM_MISSING}`, () => undefined);
} else {
  describe('the order beside the chat', () => {
    let h: Harness;
    let b: OpenBrowser;
    let page: Page;
    let shots = '';

    /** One pass of the sync engine as `serve` runs it, reading orders (no refresh window: the test moves on). */
    async function pass(api: ChatsApi = h.api): Promise<void> {
      await new SyncEngine({
        api,
        store: h.store.store,
        businessId: BUSINESS,
        orders: { refreshMs: 0 },
      }).pass('once');
    }

    async function login(width: number, height: number): Promise<Page> {
      const p = await (await b.context({ viewport: { width, height } })).newPage();
      p.setDefaultTimeout(10_000);
      await p.goto(h.url);
      await p.getByLabel('Логин').fill('anna');
      await p.getByLabel('Пароль').fill('anna-pass');
      await p.getByRole('button', { name: 'Войти' }).click();
      await p.getByRole('list', { name: 'Чаты' }).waitFor();
      return p;
    }

    async function queue(): Promise<QueueChat[]> {
      const res = await apiGet(page, `${h.url}/api/queue?limit=200`);
      return ((await res.json()) as { chats: QueueChat[] }).chats;
    }

    /** The order as the platform (the emulator, through the SDK) has it now. */
    async function platformOrder(orderId: number): Promise<BusinessOrder> {
      const { orders } = await h.api.getBusinessOrders(BUSINESS, { orderIds: [orderId] });
      expect(orders).toHaveLength(1);
      return orders[0]!;
    }

    async function openChat(p: Page, chatId: number): Promise<void> {
      await p.goto(`${h.url}/chats/${BUSINESS}/${chatId}`);
      await p.getByRole('log', { name: 'Сообщения' }).waitFor();
    }

    async function seriousViolations(p: Page, ...selectors: string[]): Promise<string[]> {
      let builder = new AxeBuilder({ page: p });
      for (const s of selectors) builder = builder.include(s);
      const result = await builder.analyze();
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }

    const panel = (p: Page) => p.locator('aside.order-panel');

    beforeAll(async () => {
      shots = SHOTS_DIR ? `${SHOTS_DIR}/` : `${mkdtempSync(join(tmpdir(), 'inbox-order-'))}/`;
      h = await startHarness({
        seed: 11,
        inbox: {
          // Sync reads an order after its chat, and an order write makes no live event of its own: an order
          // read after the chat's event shows at the page's next refresh, kept short here.
          pageRefreshMs: 1500,
          templates: [{ name: 'статус', text: 'Заказ {orderId}: {orderStatus}, доставка {deliveryDate}.' }],
        },
        agents: [await teamAgent('anna', 'Анна')],
      });
      await pass();
      b = await openBrowser();
      page = await login(1366, 768);
    }, 90_000);

    afterAll(async () => {
      await b?.close();
      await h?.close();
      if (!SHOTS_DIR && shots) rmSync(shots, { recursive: true, force: true });
    });

    it("shows an ORDER chat's order: status in words, items with counts and prices, delivery dates", async () => {
      const chat = (await queue()).find((c) => c.context.type === 'ORDER' && c.context.orderId)!;
      const order = await platformOrder(chat.context.orderId!);
      await openChat(page, chat.chatId);
      const aside = panel(page);
      await expect
        .poll(() => aside.locator('.order-status').textContent())
        .toBe(ORDER_STATUS_RU[order.status]);
      expect(await aside.locator('.order-panel-title').textContent()).toBe(`Заказ ${order.orderId}`);
      const items = aside.locator('.order-items li');
      expect(await items.count()).toBe(order.items.length);
      for (const [i, item] of order.items.entries()) {
        const row = plain(await items.nth(i).textContent());
        expect(row).toContain(item.offerName);
        expect(row).toContain(`${item.count} шт.`);
        if (item.prices?.payment) expect(row).toContain(rubles(item.prices.payment.value));
      }
      if (order.prices?.payment) {
        expect(plain(await aside.locator('.order-total').textContent())).toContain(
          rubles(order.prices.payment.value),
        );
      }
      const dates = order.delivery.dates;
      const shownDay = dates.realDeliveryDate ?? dates.toDate ?? dates.fromDate;
      expect(await aside.locator('.order-date').textContent()).toContain(dayRu(shownDay));
      // Beside the conversation on a desktop: right of the log, the whole panel on screen.
      const [log, box] = [await page.locator('#log').boundingBox(), await aside.boundingBox()];
      expect(box!.x).toBeGreaterThanOrEqual(log!.x + log!.width - 1);
      expect(box!.x + box!.width).toBeLessThanOrEqual(1366);
      expect(await seriousViolations(page, '.order-panel', '.chat-head')).toEqual([]);

      // The header's order id takes the focus to the panel (in the frame that draws it opened).
      await page.locator('.chat-head .order-link').click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('order-panel-title');

      // `{orderStatus}` and `{deliveryDate}` are filled with what the panel shows.
      const box2 = page.getByRole('textbox', { name: 'Ответ' });
      await box2.click();
      await box2.pressSequentially('/стат');
      await page.getByRole('listbox', { name: 'Подходящие шаблоны' }).waitFor();
      await page.keyboard.press('Enter');
      const shownDate = await aside.locator('.order-date').textContent();
      expect(await box2.inputValue()).toBe(
        `Заказ ${order.orderId}: ${ORDER_STATUS_RU[order.status]}, доставка ${shownDate}.`,
      );
      await box2.fill('');

      // An English page: the same order in English words, roubles written the English way.
      await page.getByRole('button', { name: 'English' }).click();
      await expect
        .poll(() => aside.locator('.order-panel-title').textContent())
        .toBe(`Order ${order.orderId}`);
      expect(await aside.locator('.order-status').textContent()).toBe(ORDER_STATUS_EN[order.status]);
      const first = order.items[0]!;
      const row = plain(await items.first().textContent());
      expect(row).toContain(`× ${first.count}`);
      if (first.prices?.payment) {
        expect(row).toContain(
          `₽${first.prices.payment.value.toLocaleString('en-US', { maximumFractionDigits: 2 })}`,
        );
      }
      await page.getByRole('button', { name: 'Русский' }).click();
      await expect
        .poll(() => aside.locator('.order-panel-title').textContent())
        .toBe(`Заказ ${order.orderId}`);
    });

    it("shows a RETURN chat's return: the money's and the parcel's state, and its items", async () => {
      const chat = (await queue()).find((c) => c.context.type === 'RETURN' && c.context.returnId)!;
      const order = await platformOrder(chat.context.orderId!);
      const ret = (await h.api.getReturn(order.campaignId, order.orderId, chat.context.returnId!)).result!;
      await openChat(page, chat.chatId);
      const aside = panel(page);
      await expect
        .poll(() => aside.locator('.order-panel-title').textContent())
        .toBe(`${ret.returnType === 'UNREDEEMED' ? 'Невыкуп' : 'Возврат'} ${ret.id}`);
      if (ret.refundStatus) {
        await expect
          .poll(() => aside.locator('.refund-status').textContent())
          .toBe(REFUND_RU[ret.refundStatus] ?? ret.refundStatus);
      }
      if (ret.shipmentStatus) {
        expect(await aside.locator('.shipment-status').textContent()).toBe(
          SHIPMENT_RU[ret.shipmentStatus] ?? ret.shipmentStatus,
        );
      }
      const returned = aside.locator('.return-part .order-items li');
      expect(await returned.count()).toBe(ret.items.length);
      const names = new Map(order.items.map((i) => [i.offerId, i.offerName]));
      for (const [i, item] of ret.items.entries()) {
        const row = plain(await returned.nth(i).textContent());
        expect(row).toContain(names.get(item.shopSku) ?? item.shopSku);
        expect(row).toContain(`${item.count} шт.`);
      }
      // The return's order too, and the header's order id is a button to the panel.
      expect(await aside.locator('.order-part .order-status').textContent()).toBe(
        ORDER_STATUS_RU[order.status],
      );
      expect(await page.locator('.chat-head .order-link').textContent()).toBe(`Заказ ${order.orderId}`);
    });

    it('shows the new status after the platform moved the order on and a pass read it', async () => {
      const chat = (await queue()).find((c) => c.context.type === 'ORDER' && c.context.orderId)!;
      const before = await platformOrder(chat.context.orderId!);
      const [status, substatus, words] =
        before.status === 'CANCELLED'
          ? (['DELIVERY', 'LAST_MILE_STARTED', ['Передан в доставку', 'У курьера']] as const)
          : (['CANCELLED', 'USER_CHANGED_MIND', ['Отменён', 'Покупатель передумал']] as const);
      await openChat(page, chat.chatId);
      const aside = panel(page);
      await expect
        .poll(() => aside.locator('.order-status').textContent())
        .toBe(ORDER_STATUS_RU[before.status]);
      /** The order status the page's next read of the chat's context (from now on) answered. */
      const nextRead = async () => {
        const request = await page.waitForRequest((r) => r.url().endsWith(`/chats/${chat.chatId}/context`));
        const answer = (await (await request.response())!.json()) as { order?: { status?: string } };
        return answer.order?.status;
      };
      await h.admin.updateOrder(BUSINESS, before.orderId, { status, substatus });
      // Not before a pass: the page shows what the store has, and the store what sync read — the page's
      // next read of the chat's context (its refresh timer) answers the old status.
      expect(await nextRead()).toBe(before.status);
      expect(await aside.locator('.order-status').textContent()).toBe(ORDER_STATUS_RU[before.status]);
      // The buyer asks about it: the pass that reads the chat reads its order again (sync reads an order
      // when its chat changes, at most once per window; the test's window is 0). The order is written after
      // the chat, whose live event may have had the page read the context before that: the new status is
      // in the page's next read (its refresh timer, 1.5 s here, longer than a poll's default second).
      await h.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'Что с заказом?' });
      await pass();
      expect(await nextRead()).toBe(status);
      await expect.poll(() => aside.locator('.order-status').textContent()).toBe(words[0]);
      expect(await aside.locator('.order-substatus').textContent()).toBe(words[1]);
      expect((await platformOrder(before.orderId)).status).toBe(status);
    });

    it("links the buyer's other chats in the header; a link opens that chat, also from the keyboard", async () => {
      const chat = (await queue()).find((c) => c.context.type === 'ORDER' && c.context.orderId)!;
      const buyer = (await h.api.getChat(BUSINESS, chat.chatId)).result!.context!.customer!;
      const customer = { name: buyer.name!, publicId: buyer.publicId! };
      // The same buyer orders again and writes about it.
      const { orderId } = await h.admin.createOrder(BUSINESS, { customer });
      const { chat: second } = await h.admin.createChat(BUSINESS, {
        context: { type: 'ORDER', id: orderId },
        customer,
      });
      await h.admin.postMessage(BUSINESS, second.chatId, {
        sender: 'CUSTOMER',
        message: 'Где второй заказ?',
      });
      await pass();
      await openChat(page, chat.chatId);
      const others = page.getByRole('navigation', { name: 'Другие чаты покупателя' });
      const link = others.getByRole('link', { name: new RegExp(`^Заказ ${orderId}`) });
      await link.waitFor();
      // The buyer waits there: the link says so.
      expect(await link.textContent()).toContain('ждёт ответа');
      expect(await seriousViolations(page, '.chat-head')).toEqual([]);
      await page.screenshot({ path: `${shots}order-desktop.png` });
      await link.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/chats/${BUSINESS}/${second.chatId}`);
      await expect
        .poll(() => page.locator('.chat-head h2').textContent())
        .toMatch(new RegExp(`^Заказ ${orderId} · `));
      // And back: the first chat is among the second's other chats.
      const back = page
        .getByRole('navigation', { name: 'Другие чаты покупателя' })
        .getByRole('link', { name: new RegExp(`^Заказ ${chat.context.orderId}`) });
      await back.click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/chats/${BUSINESS}/${chat.chatId}`);
    });

    it('fits a 390 px phone: the panel opens under the header, nothing scrolls sideways; axe finds nothing', async () => {
      const phone = await login(390, 844);
      const chat = (await queue()).find((c) => c.context.type === 'ORDER' && c.context.orderId)!;
      const order = await platformOrder(chat.context.orderId!);
      await openChat(phone, chat.chatId);
      const toggle = phone.locator('.order-toggle');
      await expect
        .poll(() => toggle.textContent())
        .toContain(`Заказ ${order.orderId} · ${ORDER_STATUS_RU[order.status]}`);
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      expect(await panel(phone).locator('.order-status').isVisible()).toBe(false);
      const width = () => phone.evaluate(() => document.documentElement.scrollWidth);
      expect(await width()).toBeLessThanOrEqual(390);
      // The header's order id opens it.
      await phone.locator('.chat-head .order-link').click();
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      expect(await panel(phone).locator('.order-status').isVisible()).toBe(true);
      await expect.poll(() => phone.evaluate(() => document.activeElement?.id)).toBe('order-panel-title');
      expect(await width()).toBeLessThanOrEqual(390);
      expect(await seriousViolations(phone, '.order-panel', '.chat-head')).toEqual([]);
      await phone.screenshot({ path: `${shots}order-phone.png` });
      // The toggle closes it again, from the keyboard.
      await toggle.focus();
      await phone.keyboard.press('Enter');
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      // A return chat, whose header names the return and its order, fits too with its panel open.
      const ret = (await queue()).find((c) => c.context.type === 'RETURN' && c.context.returnId)!;
      await openChat(phone, ret.chatId);
      await phone.locator('.order-toggle').click();
      await panel(phone).locator('.refund-status, .order-pending').first().waitFor();
      expect(await width()).toBeLessThanOrEqual(390);
      await phone.context().close();
    });

    it('says "not loaded yet", then names the scope a chat-only key lacks; the chat keeps working', async () => {
      const chatOnly = 'chat-only-key-for-the-panel';
      await h.admin.addCredential({ apiKey: chatOnly, businessIds: [BUSINESS], scopes: ['communication'] });
      const api = new ChatsApi({
        apiKey: chatOnly,
        baseUrl: h.emulatorUrl,
        pathPrefix: '/v2',
        maxRetries: 0,
      });
      // A new ORDER chat: sync owes it an order read, which this key is refused.
      const { orderId, customer } = await h.admin.createOrder(BUSINESS);
      const { chat } = await h.admin.createChat(BUSINESS, {
        context: { type: 'ORDER', id: orderId },
        customer,
      });
      await h.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'Когда доставка?' });
      // Chats read, orders not yet: the panel says so.
      await new SyncEngine({ api, store: h.store.store, businessId: BUSINESS }).pass('once');
      await openChat(page, chat.chatId);
      await expect
        .poll(() => panel(page).locator('.order-pending').textContent())
        .toBe('Ещё не загружен: синхронизация прочитает его при следующем проходе.');
      await pass(api);
      const line = panel(page).locator('.order-scope');
      await expect.poll(() => line.textContent()).toContain('inventory-and-order-processing');
      expect(await line.textContent()).toContain('all-methods');
      expect(await panel(page).locator('.order-pending').count()).toBe(0);
      // The chat itself: its message is there.
      await expect
        .poll(() => page.getByRole('log', { name: 'Сообщения' }).textContent())
        .toContain('Когда доставка?');
      expect(await seriousViolations(page, '.order-panel')).toEqual([]);
    });
  });
}

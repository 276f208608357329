/**
 * `GET /api/queue/counts` says how many chats wait for the seller (issue 22: the tab title's number), on
 * both engines: the count of every waiting chat in the agent's businesses, more than a queue page holds,
 * checked against the stored chats themselves, and one more once a buyer writes in a new chat.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { BUSINESS, type Harness, startHarness } from './support/inbox-server.js';
import { describeStores } from './support/stores.js';
import { syncPass } from './support/sync-pass.js';

const WAITING = 'WAITING_FOR_PARTNER';

describeStores('the waiting count', (engine) => {
  let h: Harness;
  let page: PageClient;

  /** Waiting chats counted from `chats` (not the queue table the counts read). */
  async function waitingInStore(): Promise<number> {
    const rows = await h.store.store
      .database()
      .all('SELECT COUNT(*) AS n FROM chats WHERE business_id = ? AND status = ?', [BUSINESS, WAITING]);
    return Number(rows[0]!.n);
  }

  async function buyerStartsChat(text: string): Promise<void> {
    const { chat } = await h.admin.createChat(BUSINESS, { context: { type: 'DIRECT' } });
    await h.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: text });
  }

  const counts = async () =>
    (await page.json<{ waiting: number; statuses: Record<string, number> }>('GET', '/api/queue/counts')).body;

  beforeAll(async () => {
    h = await startHarness({ seed: 5, openStore: engine.open });
    const missing = 55 - (await waitingInStore());
    for (let i = 0; i < missing; i++) await buyerStartsChat(`Вопрос ${i + 1}`);
    await syncPass(h.store.store, h.api, BUSINESS);
    page = new PageClient(h.url);
    await page.start();
  }, 60_000);
  afterAll(async () => h?.close());

  it('counts every waiting chat of the business, and follows a new one within a second', async () => {
    const before = await waitingInStore();
    expect(before).toBeGreaterThan(50);
    const first = await counts();
    expect(first.waiting).toBe(before);
    expect(first.statuses[WAITING]).toBe(before);
    await buyerStartsChat('Здравствуйте, где заказ?');
    await syncPass(h.store.store, h.api, BUSINESS);
    expect(await waitingInStore()).toBe(before + 1);
    // The statuses are read at most once a second per process, and shared meanwhile.
    await expect
      .poll(async () => (await counts()).waiting, { timeout: 3000, interval: 250 })
      .toBe(before + 1);
  });
});

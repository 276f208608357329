/**
 * Two things the store's search must do beyond finding (reads/search.ts, reads/indexer.ts), on both
 * engines against real stores, each checked against an outside reading of the stored rows (plain `LIKE`
 * scans, not the search's own statements):
 * - a buyer renamed without a new message is found by the new name at once, not the old one;
 * - a phrase in more messages than the cap is counted as "at least" (capped), with the page's newest
 *   chats still right, while a phrase below the cap is counted exactly.
 */
import { ReadModelIndexer, type SearchPage, type SyncStore, searchWords } from '@ym-chats/sync';
import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEARCH_HITS_CAP, SEARCH_NAMES_CAP } from '../src/reads/search.js';
import { chat, message } from './support/fixtures.js';

const B = 1001n;
const NOW = '2026-11-25T10:00:00.000Z';
/** More chats than either cap lets a search count: two hits of the common phrase each. */
const CHATS = 1200;
const RARE = 30;
const COMMON = 'Посылка пришла с повреждённой коробкой';

const name = (i: number) => `Покупатель Номер${i}`;

async function fill(store: SyncStore): Promise<void> {
  const { cursor } = await store.beginPass(B, 'once', NOW);
  for (let from = 1; from <= CHATS; from += 300) {
    const ids = Array.from({ length: Math.min(300, CHATS - from + 1) }, (_, k) => from + k);
    await store.writeChatPage({
      businessId: B,
      runId: cursor.runId,
      chats: ids.map((i) =>
        chat(i, { context: { type: 'DIRECT', customer: { name: name(i), publicId: `p${i}` } } }),
      ),
      nextPageToken: from + 300 > CHATS ? null : `after-${from}`,
      settleMs: 5000,
    });
  }
  let id = 100_000;
  for (let i = 1; i <= CHATS; i++) {
    const texts = [`${COMMON}, заказ ${i}`, i <= RARE ? 'редкостный случай' : 'Спасибо', `${COMMON} снова`];
    await store.writeHistoryPage({
      businessId: B,
      chatId: BigInt(i),
      runId: null,
      messages: texts.map((text) => message(++id, { message: text })),
      completedAt: NOW,
      now: NOW,
    });
  }
  await new ReadModelIndexer(store, { batch: 5000 }).catchUp();
}

function search(store: SyncStore, query: string, page = { limit: 50 }): Promise<SearchPage> {
  return store.reads.search([Number(B)], searchWords(query), page);
}

/** The outside reading: chats whose stored messages hold `fragment`, newest hit first. */
async function scan(store: SyncStore, fragment: string): Promise<Array<{ chatId: number; n: number }>> {
  const rows = await store.database().all(
    `SELECT chat_id, COUNT(*) AS n, MAX(message_id) AS best FROM messages
        WHERE business_id = ? AND text LIKE ? GROUP BY chat_id ORDER BY MAX(message_id) DESC`,
    [B, `%${fragment}%`],
  );
  return rows.map((r) => ({ chatId: Number(r.chat_id), n: Number(r.n) }));
}

describeEngines('search: renames and the count cap', (engine) => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await engine.open();
    await fill(opened.store);
  }, 120_000);
  afterAll(async () => {
    await opened?.dispose();
  });

  it('finds a buyer by the new name as soon as the chat row is renamed, without a new message', async () => {
    const store = opened.store;
    expect((await search(store, 'номер7', { limit: 500 })).rows.map((r) => r.chatId)).toContain(7);
    // A later listing of chat 7 with another buyer name; no message, no indexer run.
    await store.writeChatPage({
      businessId: B,
      runId: null,
      chats: [
        chat(7, {
          updatedAt: '2026-11-21T12:30:00+03:00',
          context: { type: 'DIRECT', customer: { name: 'Всеволод Кузнецов', publicId: 'p7' } },
        }),
      ],
      nextPageToken: null,
      settleMs: 5000,
    });
    const outside = await store
      .database()
      .all('SELECT chat_id FROM chats WHERE business_id = ? AND customer_name LIKE ?', [B, '%Кузнецов%']);
    expect(outside.map((r) => Number(r.chat_id))).toEqual([7]);
    expect((await search(store, 'кузнецова всеволод')).rows).toEqual([
      { businessId: Number(B), chatId: 7, matchedBy: 'name', count: 0 },
    ]);
    expect((await search(store, 'номер7', { limit: 500 })).rows.map((r) => r.chatId)).not.toContain(7);

    // An older listing (a stale page) moves nothing back: the row keeps the new name, and so does the index.
    await store.writeChatPage({
      businessId: B,
      runId: null,
      chats: [
        chat(7, {
          updatedAt: '2026-11-19T12:30:00+03:00',
          context: { type: 'DIRECT', customer: { name: name(7), publicId: 'p7' } },
        }),
      ],
      nextPageToken: null,
      settleMs: 5000,
    });
    expect((await search(store, 'кузнецов')).rows.map((r) => r.chatId)).toEqual([7]);
    expect((await search(store, 'номер7', { limit: 500 })).rows.map((r) => r.chatId)).not.toContain(7);
    // The indexer's own pass over the chat (a new message) agrees with the rename.
    await store.writeHistoryPage({
      businessId: B,
      chatId: 7n,
      runId: null,
      messages: [message(900_000, { message: 'Ещё вопрос' })],
      completedAt: NOW,
      now: NOW,
    });
    await new ReadModelIndexer(store).catchUp();
    expect((await search(store, 'кузнецов')).rows.map((r) => r.chatId)).toEqual([7]);
  });

  it('counts a phrase below the cap exactly, and one past it as "at least", with the page still right', async () => {
    const store = opened.store;
    const rare = await search(store, 'редкостный');
    const rareOutside = await scan(store, 'редкостный');
    expect(rareOutside).toHaveLength(RARE);
    expect(rare.total).toBe(RARE);
    expect(rare.capped).toBeFalsy();
    expect(rare.rows.map((r) => r.chatId)).toEqual(rareOutside.map((r) => r.chatId));

    const common = await search(store, 'повреждённой коробкой');
    const outside = await scan(store, 'повреждённой коробкой');
    expect(outside.length).toBe(CHATS);
    expect(common.capped).toBe(true);
    // At least as many chats as the hits read cover (two a chat), never more than there are.
    expect(common.total).toBeGreaterThanOrEqual(SEARCH_HITS_CAP / 2);
    expect(common.total).toBeLessThan(outside.length);
    // The first page: the chats with the newest hits, each with its count, as the outside scan has them.
    expect(common.rows.map((r) => [r.chatId, r.count])).toEqual(
      outside.slice(0, 50).map((r) => [r.chatId, r.n]),
    );

    // By the buyer's name: every chat is a "Покупатель"; at most the names cap is read.
    const named = await search(store, 'покупатель');
    expect(named.capped).toBe(true);
    expect(named.total).toBeGreaterThan(SEARCH_NAMES_CAP);
    expect(named.total).toBeLessThan(CHATS);
    // A page past the end still says the count is a lower bound.
    const past = await store.reads.search([Number(B)], searchWords('повреждённой коробкой'), {
      limit: 50,
      offset: 5000,
    });
    expect(past.rows).toEqual([]);
    expect(past).toMatchObject({ total: common.total, capped: true });
  });
});

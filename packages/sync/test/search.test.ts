/**
 * The store's search (reads/search.ts) on both engines against real stores: word forms, ids, buyer names,
 * one row per chat with its count, pages, and the same chats found on SQLite and PostgreSQL.
 */
import { ReadModelIndexer, type SearchPage, type SyncStore, searchWords } from '@ym-chats/sync';
import { describeEngines, ENGINES, type OpenedStore, PG_URL } from '@ym-chats/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, message } from './support/fixtures.js';

const B = 1001n;
const NOW = '2026-11-25T10:00:00.000Z';

/** Chats 1–6 and their messages: what every engine holds. */
async function fill(store: SyncStore): Promise<void> {
  const { cursor } = await store.beginPass(B, 'once', NOW);
  await store.writeChatPage({
    businessId: B,
    runId: cursor.runId,
    chats: [
      chat(1, {
        context: { type: 'ORDER', orderId: 77_001, customer: { name: 'Пётр Соловьёв', publicId: 'a' } },
      }),
      chat(2, {
        context: {
          type: 'RETURN',
          orderId: 77_002,
          returnId: 88_002,
          customer: { name: 'Anna Smith', publicId: 'b' },
        },
      }),
      chat(3, {
        context: { type: 'ORDER', orderId: 77_003, customer: { name: 'Иван Петров', publicId: 'c' } },
      }),
      chat(4, { context: { type: 'DIRECT', customer: { name: 'Мария', publicId: 'd' } } }),
      chat(5, { context: { type: 'ORDER', orderId: 77_005, customer: { name: 'Олег', publicId: 'e' } } }),
      chat(6, { context: { type: 'ORDER', orderId: 3, customer: { name: 'Нина', publicId: 'f' } } }),
    ],
    nextPageToken: null,
    settleMs: 5000,
  });
  const texts: Record<number, string[]> = {
    1: ['Оформите, пожалуйста, возврат', 'Здравствуйте'],
    2: ['I want to return the item', 'Thanks'],
    3: ['Где мой заказ?'],
    4: Array.from({ length: 5 }, (_, i) => `Коробка помята, случай ${i}`).concat(['Спасибо']),
    5: ['Оплата прошла, возвратов не было'],
    6: ['Посылка у вас? Ёлка цела?'],
  };
  let id = 1000;
  for (const [chatId, list] of Object.entries(texts)) {
    await store.writeHistoryPage({
      businessId: B,
      chatId: BigInt(chatId),
      runId: null,
      messages: list.map((text) => message(++id, { message: text })),
      completedAt: NOW,
      now: NOW,
    });
  }
  await new ReadModelIndexer(store).catchUp();
}

function search(store: SyncStore, query: string, page = { limit: 50 }): Promise<SearchPage> {
  return store.reads.search([Number(B)], searchWords(query), page);
}

const chatsOf = (found: SearchPage) => found.rows.map((r) => r.chatId);

describeEngines('search', (engine) => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await engine.open();
    await fill(opened.store);
  });
  afterAll(async () => {
    await opened.dispose();
  });

  it('finds word forms: "возврата" finds "возврат", "returns" finds "return"', async () => {
    const forms = await search(opened.store, 'возврата');
    expect(chatsOf(forms)).toEqual([5, 1]);
    expect(forms.rows.find((r) => r.chatId === 1)?.text).toBe('Оформите, пожалуйста, возврат');
    expect(chatsOf(await search(opened.store, 'returns'))).toEqual([2]);
    // Not every word: one of the query's words is missing.
    expect(chatsOf(await search(opened.store, 'возврата коробка'))).toEqual([]);
    // A word being typed still finds by its prefix; ё is е.
    expect(chatsOf(await search(opened.store, 'возвр'))).toEqual([5, 1]);
    expect(chatsOf(await search(opened.store, 'елка'))).toEqual([6]);
  });

  it('finds a chat once by its order id, return id and chat id, ranked first, saying why', async () => {
    const byOrder = await search(opened.store, '77003');
    expect(byOrder.rows).toEqual([{ businessId: 1001, chatId: 3, matchedBy: 'order', count: 0 }]);
    expect(byOrder.total).toBe(1);
    expect((await search(opened.store, '88002')).rows).toEqual([
      { businessId: 1001, chatId: 2, matchedBy: 'return', count: 0 },
    ]);
    // Chat 4's id; its messages hold "4" as a word too ("случай 4"): one row, the id first, count 1.
    const byChat = await search(opened.store, '4');
    expect(byChat.rows).toHaveLength(1);
    expect(byChat.rows[0]).toMatchObject({
      chatId: 4,
      matchedBy: 'chat',
      count: 1,
      text: 'Коробка помята, случай 4',
    });
    // Chat 3's id and chat 6's order id: both, the chat id first.
    expect((await search(opened.store, '3')).rows.map((r) => [r.chatId, r.matchedBy])).toEqual([
      [3, 'chat'],
      [6, 'order'],
      [4, undefined],
    ]);
  });

  it("finds a buyer's chats by name: word forms, any case, ё as е", async () => {
    expect((await search(opened.store, 'петрова')).rows).toEqual([
      { businessId: 1001, chatId: 3, matchedBy: 'name', count: 0 },
    ]);
    expect(chatsOf(await search(opened.store, 'СОЛОВЬЕВ петр'))).toEqual([1]);
    expect(chatsOf(await search(opened.store, 'smith'))).toEqual([2]);
    expect(chatsOf(await search(opened.store, 'smith petrov'))).toEqual([]);
  });

  it('lists a chat with 5 matching messages once, with count 5, and pages by chat', async () => {
    const found = await search(opened.store, 'коробки');
    expect(found.rows).toEqual([
      { businessId: 1001, chatId: 4, messageId: 1010, text: 'Коробка помята, случай 4', count: 5 },
    ]);
    expect(found.total).toBe(1);
    // "в" matches several chats (возврат, возвратов, вас, Иван): each once across pages of one.
    const all = await search(opened.store, 'в');
    const paged: number[] = [];
    for (let offset = 0; offset < all.total + 1; offset++) {
      const page = await search(opened.store, 'в', { limit: 1, offset } as { limit: number });
      expect(page.total).toBe(all.total);
      paged.push(...chatsOf(page));
    }
    expect(paged).toEqual(chatsOf(all));
    expect(new Set(paged).size).toBe(paged.length);
    expect(all.total).toBeGreaterThanOrEqual(3);
  });
});

describe.skipIf(PG_URL === undefined)('search on SQLite and PostgreSQL', () => {
  const stores: OpenedStore[] = [];
  beforeAll(async () => {
    for (const engine of ENGINES) {
      const opened = await engine.open();
      stores.push(opened);
      await fill(opened.store);
    }
  });
  afterAll(async () => {
    for (const opened of stores) await opened.dispose();
  });

  it('finds the same chats, in the same order, with the same counts', async () => {
    const queries = [
      'возврата',
      'returns',
      'в',
      'з',
      '3',
      '77001',
      'петрова',
      'коробки помятые',
      'anna',
      'е',
      'thank',
    ];
    for (const q of queries) {
      const [sqlite, postgres] = await Promise.all(stores.map((s) => search(s.store, q)));
      expect({ q, ...postgres }).toEqual({ q, ...sqlite });
      expect(sqlite!.rows.length, q).toBeGreaterThan(0);
    }
  });
});

describeEngines('search index from before version 9', (engine) => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await engine.open();
    await fill(opened.store);
  });
  afterAll(async () => {
    await opened.dispose();
  });

  /** Messages holding "возврат" as a whole term (as a word or, since version 9, as a word's stem). */
  async function stemTerms(): Promise<number> {
    const sql = opened.store.database();
    const rows =
      sql.dialect === 'sqlite'
        ? await sql.all(`SELECT COUNT(*) AS n FROM search_words WHERE search_words MATCH '"возврат"'`)
        : await sql.all(`SELECT COUNT(*) AS n FROM search_words WHERE words @@ 'возврат'::tsquery`);
    return Number(rows[0]!.n);
  }

  it('is emptied and indexed again once, with stems and buyer names', async () => {
    const sql = opened.store.database();
    expect(await stemTerms()).toBe(2);
    // The store as the code before version 9 left it: words as written, no names, no id indexes.
    if (sql.dialect === 'sqlite') {
      await sql.run('DROP TABLE search_words');
      await sql.run(
        `CREATE VIRTUAL TABLE search_words USING fts5(text, content = '', tokenize = 'unicode61 remove_diacritics 2')`,
      );
      await sql.run(
        `INSERT INTO search_words (rowid, text) SELECT r.row_id, m.text FROM search_rows r
           JOIN messages m ON m.business_id = r.business_id AND m.message_id = r.message_id`,
      );
    } else {
      await sql.run(
        `UPDATE search_words s SET words = to_tsvector('simple', COALESCE(m.text, '')) FROM messages m
          WHERE m.business_id = s.business_id AND m.message_id = s.message_id`,
      );
    }
    await sql.run('DROP TABLE search_names');
    await sql.run('DROP INDEX chats_by_order');
    await sql.run('DROP INDEX chats_by_return');
    await sql.run('DELETE FROM schema_migrations WHERE version IN (9, 10)');
    // Only "возврат" as written; "возвратов" was not found by its stem.
    expect(await stemTerms()).toBe(1);

    const { migrate } = await import('../src/schema/migrations.js');
    expect(await migrate(sql)).toEqual([9, 10]);
    expect(await opened.store.savedPosition('read-model')).toBe(0n);
    expect(await stemTerms()).toBe(0);
    await new ReadModelIndexer(opened.store).catchUp();
    expect(await stemTerms()).toBe(2);
    expect(chatsOf(await search(opened.store, 'возврата'))).toEqual([5, 1]);
    expect(chatsOf(await search(opened.store, 'петрова'))).toEqual([3]);
    // Once: a second run applies nothing and the index stays.
    expect(await migrate(sql)).toEqual([]);
    expect(await stemTerms()).toBe(2);
  });
});

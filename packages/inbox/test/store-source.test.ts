/** The inbox's reads and its own tables over both store engines, filled from the real emulator. */
import { READ_MODEL_SUBSCRIBER } from '@ym-chats/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RelayMessage } from '../src/live/relay.js';
import { TableRelay } from '../src/live/table-relay.js';
import { StoreSource, searchSql } from '../src/store/sql-source.js';
import { SqlTeamStore } from '../src/store/sql-team-store.js';
import type { SourceChange } from '../src/types.js';
import { BUSINESS, type Harness, startHarness } from './support/inbox-server.js';
import { describeStores } from './support/stores.js';
import { syncPass } from './support/sync-pass.js';

describeStores('store source', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ openStore: engine.open, seed: 3 });
  });
  afterAll(async () => h?.close());

  it('orders waiting chats by the first unanswered buyer message', async () => {
    const chats = await h.source.queue({ businessIds: [BUSINESS], filter: {}, limit: 500 });
    const waiting = chats.filter((c) => c.status === 'WAITING_FOR_PARTNER');
    expect(waiting.length).toBeGreaterThan(0);
    for (const chat of waiting) {
      const history = await h.source.history(BUSINESS, chat.chatId, { limit: 1000 });
      const lastSeller = history.map((m) => m.sender).lastIndexOf('PARTNER');
      const firstWaiting = history.slice(lastSeller + 1).find((m) => m.sender === 'CUSTOMER');
      expect(chat.waitingSince).toBe(firstWaiting?.createdAt ?? chat.updatedAt);
    }
    const rest = chats.slice(waiting.length).map((c) => Date.parse(c.updatedAt));
    expect(rest).toEqual([...rest].sort((a, b) => b - a));
  });

  it('finds a message by its words (prefixes, any case) and highlights them', async () => {
    const chat = (await h.source.queue({ businessIds: [BUSINESS], filter: {}, limit: 1 }))[0]!;
    const phrase = `Посылка пришла помятой ${Date.now()}`;
    await h.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: phrase });
    await syncPass(h.store.store, h.api, BUSINESS);
    await h.source.indexer.catchUp();
    const hits = await h.source.search([BUSINESS], 'ПОСЫЛК помят', 10);
    const hit = hits.find((x) => x.text === phrase);
    expect(hit?.chat.chatId).toBe(chat.chatId);
    expect(hit?.ranges.map(([a, b]) => phrase.slice(a, b))).toEqual(['Посылк', 'помят']);
    expect(await h.source.search([BUSINESS + 1], 'посылка помятой', 10)).toEqual([]);
    // Indexing the whole log again (a crash before the position was saved) adds nothing twice.
    const before = await h.source.search([BUSINESS], 'помят', 50);
    await h.store.store.savePosition(READ_MODEL_SUBSCRIBER, 0n);
    // (The running indexer may get there before this call does.)
    await h.source.indexer.catchUp();
    expect(await h.store.store.savedPosition(READ_MODEL_SUBSCRIBER)).toBe(await h.store.store.lastPosition());
    expect(await h.source.search([BUSINESS], 'помят', 50)).toEqual(before);
    expect(await h.source.search([BUSINESS], '" * ( ) : - ^', 10)).toEqual([]);
    // Operator words are words: no FTS or tsquery syntax reaches the engine.
    await expect(h.source.search([BUSINESS], 'NOT OR AND NEAR', 10)).resolves.toBeInstanceOf(Array);
  });

  it('finds the same newest hits whether they are among the newest rows or only through the word index', async () => {
    const sql = h.store.store.database();
    const ids = async (businessIds: number[], words: string[], limit: number) =>
      (
        await sql.all(
          searchSql(sql.dialect, businessIds, words, limit).sql,
          searchSql(sql.dialect, businessIds, words, limit).params,
        )
      ).map((r) => Number(r.message_id));
    // A common word (enough hits among the newest rows) and one message's own number (a rare one).
    const rare = (await sql.all("SELECT text FROM messages WHERE text LIKE '%#%' LIMIT 1"))[0];
    const cases: Array<[string[], number]> = [
      [['здравствуйте'], 3],
      [['с'], 40],
      [['e'], 1],
    ];
    if (rare)
      cases.push([
        [
          String(rare.text)
            .toLowerCase()
            .match(/[\p{L}\p{N}]+/gu)!
            .at(-1)!,
        ],
        3,
      ]);
    for (const [words, limit] of cases) {
      const one = await ids([BUSINESS], words, limit);
      // Two businesses (one without data) take the other statement: every match, then the newest.
      expect(one).toEqual(await ids([BUSINESS, BUSINESS + 777], words, limit));
      expect(one.length).toBeGreaterThan(0);
      // PostgreSQL orders by message id (SQLite by the order messages were indexed in).
      if (sql.dialect === 'postgres') expect(one).toEqual([...one].sort((a, b) => b - a));
    }
  });

  it('tells a second process on the same database about messages the first one indexed', async () => {
    const other = await h.store.reopen();
    const second = await StoreSource.open(other, { follow: false });
    try {
      await second.indexer.catchUp();
      const heard: SourceChange[] = [];
      second.subscribe((change) => heard.push(change));
      const chat = (await h.source.queue({ businessIds: [BUSINESS], filter: {}, limit: 1 }))[0]!;
      await h.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'Второй процесс?' });
      await syncPass(h.store.store, h.api, BUSINESS);
      // The first process indexes (on PostgreSQL a notification may already have woken it to do so).
      await h.source.indexer.catchUp();
      expect(await second.indexer.catchUp()).toBe(0);
      expect(heard).toContainEqual({ kind: 'message', businessId: BUSINESS, chatId: chat.chatId });
    } finally {
      await second.close();
      await other.close();
    }
  });

  it('shares messages between processes through the table relay, and notices the log growing', async () => {
    const other = await h.store.reopen();
    const a = await TableRelay.open(h.store.store, { intervalMs: 20 });
    const b = await TableRelay.open(other, { intervalMs: 20 });
    try {
      const heardA: RelayMessage[] = [];
      const heardB: RelayMessage[] = [];
      a.subscribe((m) => heardA.push(m));
      b.subscribe((m) => heardB.push(m));
      const event = { type: 'sent', businessId: BUSINESS, chatId: 5, by: 'anna', auditId: 9 } as const;
      a.publish({ kind: 'event', event });
      await expect.poll(() => heardB, { timeout: 5000 }).toContainEqual({ kind: 'event', event });
      // Its own message does not come back to the sender.
      expect(heardA).not.toContainEqual({ kind: 'event', event });
      const chat = (await h.source.queue({ businessIds: [BUSINESS], filter: {}, limit: 1 }))[0]!;
      await h.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'Таблица?' });
      await syncPass(other, h.api, BUSINESS);
      await expect.poll(() => heardA, { timeout: 5000 }).toContainEqual({ kind: 'log' });
    } finally {
      await a.close();
      await b.close();
      await other.close();
    }
  });

  it('keeps assignments and the audit trail in the database; one claim wins', async () => {
    const team = new SqlTeamStore(h.store.store.database());
    const key = { businessId: BUSINESS, chatId: 1 };
    const claims = await Promise.all([team.claim(key, 'anna'), team.claim(key, 'boris')]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    await team.assign(key, 'vera');
    expect(await team.assignee(key)).toBe('vera');
    expect(await team.assignments([BUSINESS])).toContainEqual({ ...key, login: 'vera' });
    const a = await team.audit({ login: 'vera', action: 'sent', ...key, detail: 'x' });
    const b = await team.audit({ login: 'anna', action: 'assigned', ...key, detail: 'anna' });
    expect(b.id).toBeGreaterThan(a.id);
    expect((await team.auditOf(key, 10)).map((e) => e.login)).toEqual(['anna', 'vera']);
    await team.assign(key, null);
    expect(await team.assignee(key)).toBeUndefined();
  });
});

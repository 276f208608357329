/**
 * A store made by the code before the read model moved into the sync package (sync at version 2, the
 * inbox at 9, with the inbox's chat state, search index, indexer position and triggers on `chats` and
 * `events`), opened by this code: the store takes them over (sync 3 and 4), the inbox drops its copies
 * (inbox 12), and the queue, search and change notices work on what was stored before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MIGRATIONS,
  openDatabase,
  openStore,
  READ_MODEL_SUBSCRIBER,
  runMigrations,
  type Sql,
  type SyncStore,
} from '@ym-chats/sync';
import { freshSchema } from '@ym-chats/testkit';
import { afterEach, expect, it } from 'vitest';
import { INBOX_MIGRATIONS } from '../src/store/migrations.js';
import { StoreSource } from '../src/store/sql-source.js';
import { describeStores, PG_URL } from './support/stores.js';

const B = 1001;

/** What `openStore` and the inbox's `migrateInbox` left in a database before this change. */
async function makeOldStore(sql: Sql): Promise<void> {
  await runMigrations(sql, {
    owner: '@ym-chats/sync',
    table: 'schema_migrations',
    migrations: MIGRATIONS.filter((m) => m.version <= 2),
  });
  await runMigrations(sql, {
    ...INBOX_MIGRATIONS,
    migrations: INBOX_MIGRATIONS.migrations.filter((m) => m.version <= 9),
  });
  const at = (minute: number) => `2026-11-20T09:${String(minute).padStart(2, '0')}:00.000Z`;
  await sql.transaction(async (tx) => {
    for (const chat of [7, 8]) {
      await tx.run(
        `INSERT INTO chats (business_id, chat_id, type, status, context_type, created_at, updated_at, last_message_id)
         VALUES (?, ?, 'CHAT', 'WAITING_FOR_PARTNER', 'DIRECT', ?, ?, ?)`,
        [B, chat, at(0), at(30), chat * 10 + 2],
      );
      // The seller answered, then the buyer wrote again: the chat waits from the second buyer message.
      const messages: Array<[number, string, string, number]> = [
        [chat * 10, 'CUSTOMER', `Где мой заказ ${chat}?`, 1],
        [chat * 10 + 1, 'PARTNER', 'Уже едет.', 2],
        [chat * 10 + 2, 'CUSTOMER', `Посылка пришла помятой ${chat}`, chat === 7 ? 20 : 10],
      ];
      for (const [id, sender, text, minute] of messages) {
        await tx.run(
          'INSERT INTO messages (business_id, chat_id, message_id, sender, text, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          [B, chat, id, sender, text, at(minute)],
        );
        await tx.run(
          "INSERT INTO events (business_id, chat_id, message_id, kind, recorded_at) VALUES (?, ?, ?, 'message', ?)",
          [B, chat, id, at(minute)],
        );
      }
    }
    // The inbox's indexer had been through the log, into its own tables.
    await tx.run(
      `INSERT INTO inbox_chat_state (business_id, chat_id, waiting_since, last_message_id, last_sender, last_text, last_at)
       VALUES (?, 7, ?, 72, 'CUSTOMER', 'old', ?)`,
      [B, at(20), at(20)],
    );
    await tx.run("INSERT INTO event_positions (subscriber, position, updated_at) VALUES ('inbox', 6, ?)", [
      at(40),
    ]);
  });
}

async function triggersOn(sql: Sql, table: string): Promise<string[]> {
  const rows =
    sql.dialect === 'sqlite'
      ? await sql.all(
          "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name",
          [table],
        )
      : await sql.all(
          `SELECT t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal
            ORDER BY t.tgname`,
          [table],
        );
  return rows.map((r) => String(r.name));
}

async function tables(sql: Sql): Promise<string[]> {
  const rows =
    sql.dialect === 'sqlite'
      ? await sql.all("SELECT name FROM sqlite_master WHERE type = 'table'")
      : await sql.all(
          'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()',
        );
  return rows.map((r) => String(r.name));
}

describeStores('a store made before the read model moved, opened by this code', (engine) => {
  let target: string;
  let schema: string | undefined;
  let dispose: () => Promise<void> = async () => undefined;
  let store: SyncStore | undefined;
  let source: StoreSource | undefined;

  afterEach(async () => {
    await source?.close();
    await store?.close();
    await dispose();
  });

  async function openOld(): Promise<void> {
    if (engine.name === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'ym-handover-'));
      target = join(dir, 'store.sqlite');
      dispose = async () => rmSync(dir, { recursive: true, force: true });
    } else {
      const fresh = freshSchema(PG_URL, 'handover');
      target = fresh.url;
      schema = fresh.schema;
      dispose = fresh.drop;
    }
    const old = await openDatabase(target, schema ? { schema } : {});
    try {
      await makeOldStore(old);
      expect(await triggersOn(old, 'chats')).toEqual(['inbox_chat_changed']);
    } finally {
      await old.close();
    }
  }

  it('hands the chat state, search index and triggers to the store; the inbox reads them', async () => {
    await openOld();
    store = await openStore(target, schema ? { schema } : {});
    source = await StoreSource.open(store, { follow: false });
    const sql = store.database();

    const versions = async (table: string) =>
      (await sql.all(`SELECT version FROM ${table} ORDER BY version`)).map((r) => Number(r.version));
    expect(await versions('schema_migrations')).toEqual(expect.arrayContaining([1, 2, 3, 4]));
    expect(await versions('inbox_schema_migrations')).toContain(12);
    // The inbox's copies are gone; the store's are there.
    const names = await tables(sql);
    expect(names).toEqual(expect.arrayContaining(['chat_state', 'search_words', 'chat_changes']));
    expect(
      names.filter((n) => ['inbox_chat_state', 'inbox_search', 'inbox_search_rows'].includes(n)),
    ).toEqual([]);
    // Besides the queue order's (sync read model version 11), one trigger on chats: the store's.
    const onChats = (await triggersOn(sql, 'chats')).filter((t) => !t.startsWith('chat_queue_'));
    expect(onChats).toEqual(['chats_changed']);
    expect(await triggersOn(sql, 'events')).toEqual(engine.name === 'postgres' ? ['events_logged'] : []);
    // The inbox indexer's position went with its tables: the store's indexer starts from the beginning.
    expect(await store.savedPosition('inbox')).toBe(0n);
    expect(await source.indexer.catchUp()).toBe(6);
    expect(await store.savedPosition(READ_MODEL_SUBSCRIBER)).toBe(6n);

    // The queue: longest wait first, by the buyer's first unanswered message.
    const queue = await source.queue({ businessIds: [B], filter: {}, limit: 10 });
    expect(queue.map((c) => [c.chatId, c.waitingSince?.slice(11, 16)])).toEqual([
      [8, '09:10'],
      [7, '09:20'],
    ]);
    expect(queue[0]?.lastMessage?.text).toBe('Посылка пришла помятой 8');
    // Search over what was stored before the upgrade.
    const hits = await source.search([B], 'помят', 10);
    expect(hits.map((h) => h.messageId)).toEqual([82, 72]);

    // A status change is announced by the store's trigger (SQLite: a row of the change feed).
    const before = await store.reads.changeMarks();
    await sql.run("UPDATE chats SET status = 'FINISHED' WHERE chat_id = 7");
    const changes = await store.reads.chatChangesAfter(before.chat);
    expect(changes.map((c) => [c.businessId, c.chatId])).toEqual(engine.name === 'sqlite' ? [[B, 7]] : []);
  });
});

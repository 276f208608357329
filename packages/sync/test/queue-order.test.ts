/**
 * The queue read as index range scans (issue 22, item 11) on both engines: the urgency order across
 * businesses and pages, every filter, the order kept as chats and waits change (the triggers of read-model
 * version 11), a store made before version 11 upgraded, and the plans — the first page walks
 * `chat_queue`'s indexes with no sort step (a temp B-tree in SQLite, a Sort node in PostgreSQL).
 */
import type { Chat, ChatMessage } from '@ym-chats/sdk';
import {
  type ChatSummary,
  MIGRATIONS,
  type QueueCursor,
  type QueueFilter,
  queueSql,
  ReadModelIndexer,
  runMigrations,
  type Sql,
  type SqlValue,
  type SyncStore,
} from '@ym-chats/sync';
import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chat, message } from './support/fixtures.js';

const A = 1001n;
const B = 1002n;
const NOW = '2026-11-25T10:00:00.000Z';
const at = (hhmm: string) => `2026-11-20T${hhmm}:00.000Z`;

/** Per chat: business, status, update time and its messages (sender, time). */
const CHATS: Array<{ id: number; business: bigint; status: string; updated: string; says?: string[] }> = [
  // waits since its buyer's 09:00 message
  { id: 1, business: A, status: 'WAITING_FOR_PARTNER', updated: '10:00', says: ['CUSTOMER 09:00'] },
  // no messages: waits since its update
  { id: 2, business: A, status: 'WAITING_FOR_PARTNER', updated: '09:30' },
  { id: 3, business: A, status: 'NEW', updated: '11:00' },
  { id: 4, business: A, status: 'FINISHED', updated: '08:00' },
  // asked again after the answer: waits since 09:15
  {
    id: 5,
    business: B,
    status: 'WAITING_FOR_PARTNER',
    updated: '12:00',
    says: ['CUSTOMER 07:00', 'PARTNER 08:00', 'CUSTOMER 09:15'],
  },
  { id: 6, business: B, status: 'WAITING_FOR_CUSTOMER', updated: '11:30' },
  { id: 7, business: B, status: 'NEW', updated: '07:00' },
  // answered, status not yet moved: nothing unanswered, so its update time (ties chat 1 at 09:00)
  {
    id: 8,
    business: B,
    status: 'WAITING_FOR_PARTNER',
    updated: '09:00',
    says: ['CUSTOMER 08:30', 'PARTNER 08:45'],
  },
];
/** Waiting by longest wait (ties by chat id), then the rest by latest activity. */
const URGENCY = [1, 8, 5, 2, 6, 3, 4, 7];

function chatOf(id: number, status: string, updated: string): Chat {
  return chat(id, { status: status as Chat['status'], updatedAt: at(updated), createdAt: at('06:00') });
}

/** Message ids grow as messages are written, as the platform's do (the waiting rule goes by them). */
let lastMessageId = 0;

function messagesOf(says: string[]): ChatMessage[] {
  return says.map((s) => {
    const [sender, time] = s.split(' ') as [string, string];
    lastMessageId += 1;
    return message(lastMessageId, { sender: sender as ChatMessage['sender'], createdAt: at(time) });
  });
}

async function listChats(store: SyncStore, business: bigint, chats: Chat[]): Promise<void> {
  await store.writeChatPage({ businessId: business, runId: null, chats, nextPageToken: null, settleMs: 0 });
}

async function say(store: SyncStore, business: bigint, id: number, says: string[]): Promise<void> {
  await store.writeHistoryPage({
    businessId: business,
    chatId: BigInt(id),
    runId: null,
    messages: messagesOf(says),
    completedAt: NOW,
    now: NOW,
  });
}

async function fillFixture(store: SyncStore): Promise<void> {
  for (const business of [A, B]) {
    const mine = CHATS.filter((c) => c.business === business);
    await listChats(
      store,
      business,
      mine.map((c) => chatOf(c.id, c.status, c.updated)),
    );
    for (const c of mine) if (c.says) await say(store, business, c.id, c.says);
  }
  await new ReadModelIndexer(store).catchUp();
}

/** The cursor after a chat, as the inbox makes it. */
const cursorAfter = (c: ChatSummary): QueueCursor => ({
  waiting: c.waitingSince !== undefined,
  at: c.waitingSince ?? c.updatedAt,
  chatId: c.chatId,
});

async function ids(store: SyncStore, filter: QueueFilter = {}, limit = 50): Promise<number[]> {
  const chats = await store.reads.queue({ businessIds: [Number(A), Number(B)], filter, limit });
  return chats.map((c) => c.chatId);
}

/** Every page of `limit`, each from the cursor after the previous one. */
async function paged(store: SyncStore, limit: number, filter: QueueFilter = {}): Promise<number[][]> {
  const pages: number[][] = [];
  let after: QueueCursor | undefined;
  for (;;) {
    const query = { businessIds: [Number(A), Number(B)], filter, limit, ...(after ? { after } : {}) };
    const page = await store.reads.queue(query);
    if (page.length === 0) return pages;
    pages.push(page.map((c) => c.chatId));
    after = cursorAfter(page.at(-1)!);
  }
}

describeEngines('queue order', (engine) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await engine.open();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('reads two businesses in urgency order, page by page', async () => {
    const { store } = opened;
    await fillFixture(store);
    expect(await ids(store)).toEqual(URGENCY);
    const first = await store.reads.queue({ businessIds: [Number(A), Number(B)], filter: {}, limit: 2 });
    expect(first.map((c) => c.waitingSince)).toEqual([at('09:00'), at('09:00')]);
    expect(await paged(store, 3)).toEqual([
      [1, 8, 5],
      [2, 6, 3],
      [4, 7],
    ]);
    expect(await paged(store, 4)).toEqual([
      [1, 8, 5, 2],
      [6, 3, 4, 7],
    ]);
  });

  it('filters by status, type, context and chat lists, in the same order', async () => {
    const { store } = opened;
    await fillFixture(store);
    expect(await ids(store, { statuses: ['WAITING_FOR_PARTNER'] })).toEqual([1, 8, 5, 2]);
    expect(await ids(store, { statuses: ['NEW', 'FINISHED'] })).toEqual([3, 4, 7]);
    expect(await paged(store, 2, { statuses: ['NEW', 'FINISHED', 'WAITING_FOR_PARTNER'] })).toEqual([
      [1, 8],
      [5, 2],
      [3, 4],
      [7],
    ]);
    expect(
      await ids(store, {
        onlyChats: [
          { businessId: Number(A), chatId: 3 },
          { businessId: Number(B), chatId: 5 },
        ],
      }),
    ).toEqual([5, 3]);
    expect(await ids(store, { exceptChats: [{ businessId: Number(A), chatId: 1 }] })).toEqual([
      8, 5, 2, 6, 3, 4, 7,
    ]);
    expect(await ids(store, { types: ['ARBITRAGE'] })).toEqual([]);
    expect(await ids(store, { contexts: ['ORDER'], statuses: ['NEW'] })).toEqual([3, 7]);
    const oneBusiness = await store.reads.queue({ businessIds: [Number(B)], filter: {}, limit: 50 });
    expect(oneBusiness.map((c) => c.chatId)).toEqual([8, 5, 6, 7]);
  });

  it('moves a chat when its status, its update or its wait changes', async () => {
    const { store } = opened;
    await fillFixture(store);
    // Chat 6 starts waiting (no messages: since its update); chat 3 is finished later.
    await listChats(store, B, [chatOf(6, 'WAITING_FOR_PARTNER', '13:00')]);
    await listChats(store, A, [chatOf(3, 'FINISHED', '13:30')]);
    expect(await ids(store)).toEqual([1, 8, 5, 2, 6, 3, 4, 7]);
    expect(await ids(store, { statuses: ['FINISHED'] })).toEqual([3, 4]);
    // The buyer of chat 2 wrote at 08:00 (a late history read): it has waited longest.
    await say(store, A, 2, ['CUSTOMER 08:00']);
    await new ReadModelIndexer(store).catchUp();
    expect(await ids(store)).toEqual([2, 1, 8, 5, 6, 3, 4, 7]);
    // Answered: chat 1 waits no longer by its messages, so by its update time (10:00).
    await say(store, A, 1, ['PARTNER 09:50']);
    await new ReadModelIndexer(store).catchUp();
    expect(await ids(store)).toEqual([2, 8, 5, 1, 6, 3, 4, 7]);
    // Status moved on: chat 1 leaves the waiting half.
    await listChats(store, A, [chatOf(1, 'WAITING_FOR_CUSTOMER', '14:00')]);
    expect(await ids(store)).toEqual([2, 8, 5, 6, 1, 3, 4, 7]);
  });

  it('upgrades a store made before version 11, with its chats in place', async () => {
    const { store } = opened;
    const sql = store.database();
    await dropVersion11(sql);
    await fillFixture(store);
    const applied = await runMigrations(sql, {
      owner: '@ym-chats/sync',
      table: 'schema_migrations',
      migrations: MIGRATIONS,
    });
    expect(applied).toEqual([11]);
    expect(await ids(store)).toEqual(URGENCY);
    // The triggers came with it.
    await listChats(store, B, [chatOf(7, 'WAITING_FOR_PARTNER', '13:00')]);
    expect(await ids(store, { statuses: ['WAITING_FOR_PARTNER'] })).toEqual([1, 8, 5, 2, 7]);
  });
});

/** What version 11 added, removed again: the schema the code before it made. */
async function dropVersion11(sql: Sql): Promise<void> {
  const statements =
    sql.dialect === 'sqlite'
      ? [
          ...[
            'chat_added',
            'chat_changed',
            'chat_removed',
            'state_added',
            'state_changed',
            'state_removed',
          ].map((t) => `DROP TRIGGER chat_queue_${t}`),
          'DROP TABLE chat_queue',
        ]
      : [
          'DROP FUNCTION chat_queue_chat() CASCADE',
          'DROP FUNCTION chat_queue_state() CASCADE',
          'DROP TABLE chat_queue',
        ];
  for (const s of statements) await sql.run(s);
  await sql.run('DELETE FROM schema_migrations WHERE version = 11');
}

const BIG = 20_000;
const STATUS = `CASE i % 5 WHEN 0 THEN 'WAITING_FOR_PARTNER' WHEN 1 THEN 'WAITING_FOR_CUSTOMER' WHEN 2 THEN 'FINISHED'
  WHEN 3 THEN 'WAITING_FOR_PARTNER' ELSE 'NEW' END`;

/** 20 000 chats of one business, set-based (through the triggers), and the planner's statistics. */
async function fillBig(sql: Sql): Promise<void> {
  const sqlite = sql.dialect === 'sqlite';
  const series = sqlite
    ? `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${BIG}) SELECT i FROM s`
    : `SELECT generate_series(1, ${BIG}) AS i`;
  const time = (seconds: string) =>
    sqlite
      ? `strftime('%Y-%m-%dT%H:%M:%S.000Z', 1767225600 + ${seconds}, 'unixepoch')`
      : `to_timestamp(1767225600 + ${seconds})`;
  await sql.run(
    `INSERT INTO chats (business_id, chat_id, type, status, context_type, created_at, updated_at, history_pending)
     SELECT ${A}, 40000000 + i, 'CHAT', ${STATUS}, 'ORDER', ${time('i * 10')}, ${time('i * 10 + 600')}, 0
       FROM (${series}) n`,
  );
  await sql.run('ANALYZE');
}

/** The plan of each statement of the query, one line per step. */
async function plans(sql: Sql, filter: QueueFilter, after?: QueueCursor): Promise<string[]> {
  const query = { businessIds: [Number(A)], filter, limit: 50, ...(after ? { after } : {}) };
  const out: string[] = [];
  for (const s of queueSql(query)) out.push((await explain(sql, s.sql, s.params)).join('\n'));
  return out;
}

async function explain(sql: Sql, text: string, params: SqlValue[]): Promise<string[]> {
  const rows = await sql.all(
    `${sql.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${text}`,
    params,
  );
  return rows.map((r) => String(sql.dialect === 'sqlite' ? r.detail : r['QUERY PLAN']));
}

const SORTS = /TEMP B-TREE|\bSort\b/;

describeEngines('queue plans', (engine) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await engine.open();
    await fillBig(opened.store.database());
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('the check sees a sort when a statement has one', async () => {
    const sql = opened.store.database();
    const plan = await explain(
      sql,
      'SELECT * FROM chats WHERE business_id = ? ORDER BY customer_name LIMIT 50',
      [A],
    );
    expect(plan.join('\n')).toMatch(SORTS);
  });

  it('every queue view is an index range scan of chat_queue, with no sort', async () => {
    const sql = opened.store.database();
    const views: Array<[QueueFilter, QueueCursor | undefined, RegExp]> = [
      [{}, undefined, /chat_queue_order/],
      [{}, { waiting: true, at: '2026-01-02T00:00:00.000Z', chatId: 40_000_100 }, /chat_queue_order/],
      [{}, { waiting: false, at: '2026-01-02T00:00:00.000Z', chatId: 40_000_100 }, /chat_queue_order/],
      [{ statuses: ['FINISHED', 'NEW'] }, undefined, /chat_queue_by_status/],
      [{ statuses: ['WAITING_FOR_PARTNER'] }, undefined, /chat_queue_by_status/],
    ];
    for (const [filter, after, index] of views) {
      for (const plan of await plans(sql, filter, after)) {
        expect(plan, JSON.stringify(filter)).toMatch(index);
        expect(plan, JSON.stringify(filter)).not.toMatch(SORTS);
      }
    }
  });
});

describe('queue statements', () => {
  it('a half per business, a range per status asked for', () => {
    const query = (filter: QueueFilter, after?: QueueCursor) =>
      queueSql({ businessIds: [1, 2], filter, limit: 50, ...(after ? { after } : {}) }).map((s) => s.waiting);
    expect(query({})).toEqual([true, true, false, false]);
    expect(query({ statuses: ['NEW', 'FINISHED'] })).toEqual([false, false, false, false]);
    expect(query({}, { waiting: false, at: NOW, chatId: 1 })).toEqual([false, false]);
    expect(() => queueSql({ businessIds: [1], filter: {}, limit: 2.5 })).toThrow(
      /queue limit must be a whole number/,
    );
  });
});

/**
 * The waits table (migrations 5 and 6, kept by reports/keep-waits.ts) holds exactly what issue 23's
 * definitions give for each chat's full ordered message list, whatever order the messages arrived in
 * (newest-first history pages, pushes before a pass, pages repeated), on both engines; and the one-time
 * back-fill of a store synced before the table existed gives the same rows.
 */
import type { ChatMessage } from '@ym-chats/sdk';
import { MIGRATIONS, runMigrations, type Sql, type SyncStore } from '@ym-chats/sync';
import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';

const B = 4242n;
const SENDERS = ['CUSTOMER', 'PARTNER', 'MARKET', 'SUPPORT'] as const;

interface Expected {
  open: bigint;
  openedAt: string;
  close: bigint | null;
  closedAt: string | null;
  first: boolean;
}

/**
 * The definitions, computed straight from the whole list: order by (created_at, id); among CUSTOMER and
 * PARTNER messages, a CUSTOMER message right after a PARTNER one (or first) opens a wait, which the first
 * PARTNER message after it closes.
 */
function expectedWaits(messages: ChatMessage[]): Expected[] {
  const talk = messages
    .filter((m) => m.sender === 'CUSTOMER' || m.sender === 'PARTNER')
    .map((m) => ({ id: BigInt(m.messageId), at: new Date(m.createdAt).toISOString(), sender: m.sender }))
    .sort((a, b) => (a.at === b.at ? Number(a.id - b.id) : a.at < b.at ? -1 : 1));
  const out: Expected[] = [];
  talk.forEach((m, i) => {
    if (m.sender !== 'CUSTOMER' || (i > 0 && talk[i - 1]!.sender === 'CUSTOMER')) return;
    const answer = talk.slice(i + 1).find((n) => n.sender === 'PARTNER');
    out.push({
      open: m.id,
      openedAt: m.at,
      close: answer?.id ?? null,
      closedAt: answer?.at ?? null,
      first: out.length === 0,
    });
  });
  return out;
}

/** The store's database. */
export function sqlOf(store: SyncStore): Sql {
  return store.database();
}

async function storedWaits(sql: Sql, chatId: bigint): Promise<Expected[]> {
  const rows = await sql.all(
    `SELECT open_message_id, opened_at, close_message_id, closed_at, first_wait FROM waits
      WHERE business_id = ? AND chat_id = ? ORDER BY opened_at, open_message_id`,
    [B, chatId],
  );
  return rows.map((r) => ({
    open: BigInt(r.open_message_id as bigint),
    openedAt: String(r.opened_at),
    close: r.close_message_id === null ? null : BigInt(r.close_message_id as bigint),
    closedAt: r.closed_at === null ? null : String(r.closed_at),
    first: Number(r.first_wait) === 1,
  }));
}

/** A chat's messages: few distinct minutes (ties broken by id) and ids unrelated to time. */
const chatMessages = fc
  .integer({ min: 0, max: 30 })
  .chain((n) =>
    fc.tuple(
      fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { minLength: n, maxLength: n }),
      fc.array(fc.tuple(fc.constantFrom(...SENDERS, 'CUSTOMER', 'PARTNER'), fc.integer({ min: 0, max: 9 })), {
        minLength: n,
        maxLength: n,
      }),
    ),
  )
  .map(([ids, shapes]) =>
    ids.map(
      (id, i): ChatMessage => ({
        messageId: id,
        sender: shapes[i]![0],
        createdAt: `2026-11-20T09:0${shapes[i]![1]}:00.000+00:00`,
        message: `m${id}`,
      }),
    ),
  );

/**
 * How they arrive: a shuffled order cut into pages, some messages sent again, pages committed one or two
 * per group.
 */
const arrival = (n: number) =>
  fc.record({
    order: fc.array(fc.nat(), { minLength: n, maxLength: n }),
    cuts: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 30 }),
    repeats: fc.array(fc.nat(), { maxLength: 4 }),
    grouping: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 1, maxLength: 30 }),
  });

async function deliver(
  store: SyncStore,
  chatId: bigint,
  messages: ChatMessage[],
  plan: { order: number[]; cuts: number[]; repeats: number[]; grouping: number[] },
): Promise<void> {
  const shuffled = messages
    .map((m, i) => ({ m, k: plan.order[i]! }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.m);
  const pages: ChatMessage[][] = [];
  for (let at = 0, c = 0; at < shuffled.length; c++) {
    const size = plan.cuts[c % plan.cuts.length]!;
    const page = shuffled.slice(at, at + size);
    // A message stored already, sent again (a page read twice, a push and a pass).
    const again = plan.repeats[c % Math.max(1, plan.repeats.length)];
    if (again !== undefined && at > 0) page.push(shuffled[again % at]!);
    pages.push(page);
    at += size;
  }
  for (let p = 0, g = 0; p < pages.length; g++) {
    const n = plan.grouping[g % plan.grouping.length]!;
    await store.writeHistoryPages(
      pages.slice(p, p + n).map((messages) => ({
        businessId: B,
        chatId,
        runId: null,
        messages,
        completedAt: null,
        now: '2026-11-20T10:00:00.000Z',
      })),
    );
    p += n;
  }
}

describeEngines('waits kept as messages are stored', (engine) => {
  let opened: OpenedStore;
  const seen = new Map<bigint, ChatMessage[]>();
  beforeAll(async () => {
    opened = await engine.open();
  });
  afterAll(async () => {
    await opened.dispose();
  });

  it('equal the definitions over the full ordered list, whatever the arrival order', async () => {
    let chat = 1000n;
    await fc.assert(
      fc.asyncProperty(
        chatMessages.chain((m) => fc.tuple(fc.constant(m), arrival(m.length))),
        async ([messages, plan]) => {
          chat += 1n;
          // Message ids are unique per business: each chat gets its own range.
          messages = messages.map((m) => ({ ...m, messageId: Number(chat) * 10_000 + m.messageId }));
          seen.set(chat, messages);
          await deliver(opened.store, chat, messages, plan);
          expect(await storedWaits(sqlOf(opened.store), chat)).toEqual(expectedWaits(messages));
        },
      ),
      { numRuns: engine.name === 'postgres' ? 60 : 150 },
    );
    // Not vacuous: the runs held open, closed and first waits.
    const all = [...seen.values()].flatMap(expectedWaits);
    expect(all.some((w) => w.close === null)).toBe(true);
    expect(all.filter((w) => w.close !== null && !w.first).length).toBeGreaterThan(50);
  }, 180_000);

  it('a store synced before the table existed is back-filled once, to the same rows', async () => {
    const sql = sqlOf(opened.store);
    const before = new Map<bigint, Expected[]>();
    for (const chat of seen.keys()) before.set(chat, await storedWaits(sql, chat));
    await sql.run('DROP TABLE waits');
    await sql.run('DELETE FROM schema_migrations WHERE version IN (5, 6)');
    const applied = await runMigrations(sql, {
      owner: '@ym-chats/sync',
      table: 'schema_migrations',
      migrations: MIGRATIONS,
    });
    expect(applied).toEqual([5, 6]);
    for (const [chat, messages] of seen) {
      const waits = await storedWaits(sql, chat);
      expect(waits).toEqual(before.get(chat));
      expect(waits).toEqual(expectedWaits(messages));
    }
    expect(
      await runMigrations(sql, {
        owner: '@ym-chats/sync',
        table: 'schema_migrations',
        migrations: MIGRATIONS,
      }),
    ).toEqual([]);
  }, 180_000);
});

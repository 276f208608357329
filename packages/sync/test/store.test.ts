/** The store's contract, the same tests over SQLite and PostgreSQL. */
import { EventSubscriber, MIGRATIONS } from '@ym-chats/sync';
import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { chat, message } from './support/fixtures.js';

const B = 1001n;
const NOW = '2026-11-25T10:00:00.000Z';

describeEngines('store', (engine) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await engine.open();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  async function pass(chats: ReturnType<typeof chat>[]) {
    const { cursor } = await opened.store.beginPass(B, 'once', NOW);
    const marked = await opened.store.writeChatPage({
      businessId: B,
      runId: cursor.runId,
      chats,
      nextPageToken: null,
      settleMs: 5000,
    });
    return { runId: cursor.runId, marked };
  }

  it('has the documented tables and columns, and migrates once', async () => {
    const sql = opened.store.database();
    await sql.all(
      'SELECT business_id, chat_id, type, status, context_type, context_id, order_id, return_id, customer_name, customer_public_id, created_at, updated_at, last_message_id, synced_at FROM chats',
    );
    await sql.all('SELECT business_id, chat_id, message_id, sender, text, created_at FROM messages');
    await sql.all('SELECT business_id, message_id, position, name, url, size FROM message_files');
    const versions = await sql.all('SELECT version FROM schema_migrations');
    expect(versions.map((v) => Number(v.version))).toEqual(MIGRATIONS.map((m) => m.version));
    const { migrate } = await import('../src/schema/migrations.js');
    expect(await migrate(sql)).toEqual([]);
  });

  it('stores 64-bit ids exactly and reads them back as bigint', async () => {
    const big = 2n ** 62n + 7n;
    const { marked } = await pass([chat(big, { context: { type: 'DIRECT' } })]);
    expect(marked).toEqual([big]);
    await opened.store.writeHistoryPage({
      businessId: B,
      chatId: big,
      runId: null,
      messages: [message(big + 1n)],
      completedAt: NOW,
      now: NOW,
    });
    const [stored] = await opened.store.chats(B);
    expect(stored?.chatId).toBe(big);
    expect(stored?.lastMessageId).toBe(big + 1n);
    const raw = await opened.store.database().all('SELECT chat_id FROM chats');
    expect(raw[0]?.chat_id).toBe(big);
    const [m] = await opened.store.messages(B, big);
    expect(m?.messageId).toBe(big + 1n);
  });

  it('keeps times as ISO text in SQLite and timestamptz in PostgreSQL, read back in UTC', async () => {
    await pass([chat(1)]);
    const [stored] = await opened.store.chats(B);
    expect(stored?.updatedAt).toBe('2026-11-20T09:30:00.000Z');
    expect(stored?.createdAt).toBe('2026-11-01T07:00:00.000Z');
    if (engine.name === 'sqlite') {
      const rows = await opened.store.database().all('SELECT typeof(updated_at) AS t FROM chats');
      expect(rows[0]?.t).toBe('text');
    } else {
      const rows = await opened.store
        .database()
        .all(
          "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'chats' AND column_name = 'updated_at'",
        );
      expect(rows[0]?.data_type).toBe('timestamp with time zone');
    }
  });

  it('updates a chat only from a listing at least as new as what it holds', async () => {
    await pass([chat(1, { status: 'WAITING_FOR_PARTNER', updatedAt: '2026-11-20T12:30:00+03:00' })]);
    await pass([chat(1, { status: 'NEW', updatedAt: '2026-11-20T12:00:00+03:00' })]);
    expect((await opened.store.chat(B, 1n))?.status).toBe('WAITING_FOR_PARTNER');
    await pass([chat(1, { status: 'FINISHED', updatedAt: '2026-11-20T12:30:00+03:00' })]);
    expect((await opened.store.chat(B, 1n))?.status).toBe('FINISHED');
    await pass([chat(1, { status: 'WAITING_FOR_CUSTOMER', updatedAt: '2026-11-20T13:00:00+03:00' })]);
    const after = await opened.store.chat(B, 1n);
    expect(after?.status).toBe('WAITING_FOR_CUSTOMER');
    expect(after?.updatedAt).toBe('2026-11-20T10:00:00.000Z');
  });

  it('stores enum values the platform adds later as they come', async () => {
    await pass([
      chat(1, { status: 'WAITING_FOR_ROBOT', type: 'MEDIATION', context: { type: 'SUBSCRIPTION' } }),
    ]);
    await opened.store.writeHistoryPage({
      businessId: B,
      chatId: 1n,
      runId: null,
      messages: [message(10, { sender: 'ASSISTANT' })],
      completedAt: NOW,
      now: NOW,
    });
    const stored = await opened.store.chat(B, 1n);
    expect([stored?.status, stored?.type, stored?.contextType]).toEqual([
      'WAITING_FOR_ROBOT',
      'MEDIATION',
      'SUBSCRIPTION',
    ]);
    expect((await opened.store.messages(B, 1n))[0]?.sender).toBe('ASSISTANT');
  });

  it('inserts a message once however often its page is written, with one event', async () => {
    await pass([chat(1)]);
    const page = {
      businessId: B,
      chatId: 1n,
      runId: null,
      messages: [
        message(11),
        message(12, { message: undefined, payload: [{ name: 'a.jpg', url: 'http://x/a', size: 10 }] }),
      ],
      completedAt: null,
      now: NOW,
    };
    expect(await opened.store.writeHistoryPage(page)).toEqual([11n, 12n]);
    expect(await opened.store.writeHistoryPage(page)).toEqual([]);
    expect(await opened.store.writeHistoryPage({ ...page, messages: [message(12), message(13)] })).toEqual([
      13n,
    ]);
    const messages = await opened.store.messages(B, 1n);
    expect(messages.map((m) => m.messageId)).toEqual([11n, 12n, 13n]);
    expect(messages[1]?.files).toEqual([{ position: 0, name: 'a.jpg', url: 'http://x/a', size: 10 }]);
    expect(messages[1]?.text).toBeNull();
    const events = await opened.store.eventsAfter(0n);
    expect(events.map((e) => e.message.messageId)).toEqual([11n, 12n, 13n]);
    expect(await opened.store.integrityProblems()).toEqual([]);
  });

  it('gives a message held by two pages of one commit one event (two reads of a chat finishing together)', async () => {
    const { runId } = await pass([chat(1)]);
    const page = (ids: number[]) => ({
      businessId: B,
      chatId: 1n,
      runId,
      messages: ids.map((id) => message(id)),
      completedAt: null,
      now: NOW,
    });
    // A pass and a push read the same chat from the same stored message: their pages overlap.
    const added = await opened.store.writeHistoryPages([page([21, 22]), page([22, 23])]);
    expect(added).toEqual([[21n, 22n], [23n]]);
    const events = await opened.store.eventsAfter(0n);
    expect(events.map((e) => e.message.messageId)).toEqual([21n, 22n, 23n]);
    const counts = await opened.store.counts();
    expect(counts.events).toBe(counts.messages);
    expect((await opened.store.runs(B))[0]).toMatchObject({ historyPages: 2, messagesAdded: 3 });
  });
  it('gives no event for a message id already stored under another chat (the new-message check is per chat)', async () => {
    const { runId } = await pass([chat(1), chat(2)]);
    const page = (chatId: bigint, ids: number[]) => ({
      businessId: B,
      chatId,
      runId,
      messages: ids.map((id) => message(id)),
      completedAt: null,
      now: NOW,
    });
    expect(await opened.store.writeHistoryPages([page(1n, [31])])).toEqual([[31n]]);
    // A platform that moved a message between chats: the stored row stays, and is not published again.
    expect(await opened.store.writeHistoryPages([page(2n, [31, 32])])).toEqual([[32n]]);
    const events = await opened.store.eventsAfter(0n);
    expect(events.map((e) => [e.message.chatId, e.message.messageId])).toEqual([
      [1n, 31n],
      [2n, 32n],
    ]);
    expect((await opened.store.runs(B))[0]).toMatchObject({ historyPages: 2, messagesAdded: 2 });
  });

  it("keeps a pass's history counts as rows while it runs and adds them to its sync_runs row when it ends", async () => {
    const { runId } = await pass([chat(1), chat(2)]);
    const page = (chatId: bigint, ids: number[]) => ({
      businessId: B,
      chatId,
      runId,
      messages: ids.map((id) => message(id)),
      completedAt: null,
      now: NOW,
    });
    await opened.store.writeHistoryPages([page(1n, [41, 42])]);
    await opened.store.writeHistoryPages([page(2n, [51]), page(1n, [43])]);
    const row = async () =>
      (
        await opened.store
          .database()
          .all('SELECT history_pages, messages_added, state FROM sync_runs WHERE run_id = ?', [runId])
      ).map((r) => [Number(r.history_pages), Number(r.messages_added), r.state]);
    const pending = async () =>
      Number((await opened.store.database().all('SELECT COUNT(*) AS n FROM sync_run_pages'))[0]!.n);
    // Running: one row per commit, not an update of the pass's row; runs() counts them in.
    expect(await row()).toEqual([[0, 0, 'running']]);
    expect(await pending()).toBe(2);
    expect((await opened.store.runs(B))[0]).toMatchObject({ historyPages: 3, messagesAdded: 4 });
    await opened.store.failPass(runId, 'stopped', NOW);
    expect(await row()).toEqual([[3, 4, 'failed']]);
    expect(await pending()).toBe(0);
    // Resumed, it counts on from there.
    await opened.store.beginPass(B, 'once', NOW);
    await opened.store.writeHistoryPages([page(2n, [52])]);
    await opened.store.finishPass(B, runId, NOW);
    expect(await row()).toEqual([[4, 5, 'done']]);
    expect(await pending()).toBe(0);
    expect((await opened.store.runs(B))[0]).toMatchObject({ historyPages: 4, messagesAdded: 5 });
  });

  it('marks changed chats pending with the cursor, and clears them when their history is read', async () => {
    const { runId, marked } = await pass([chat(1), chat(2)]);
    expect(marked.sort()).toEqual([1n, 2n]);
    expect((await opened.store.pendingChats(B)).map((p) => p.chatId)).toEqual([2n, 1n]);
    await opened.store.writeHistoryPage({
      businessId: B,
      chatId: 2n,
      runId,
      messages: [message(21)],
      completedAt: '2026-11-25T10:00:00.000Z',
      now: NOW,
    });
    expect((await opened.store.pendingChats(B)).map((p) => p.chatId)).toEqual([1n]);
    // The pass is still open: beginning again resumes it.
    const again = await opened.store.beginPass(B, 'once', NOW);
    expect(again.resumed).toBe(true);
    expect(again.cursor.runId).toBe(runId);
    expect(again.cursor.listingDone).toBe(true);
    await opened.store.finishPass(B, runId, NOW);
    const [run] = await opened.store.runs(B);
    expect(run).toMatchObject({
      state: 'done',
      chatPages: 1,
      historyPages: 1,
      chatsSeen: 2,
      messagesAdded: 1,
    });
    // Unchanged and settled (read long after 12:30): nothing to read.
    const next = await pass([chat(1), chat(2)]);
    expect(next.marked).toEqual([1n]);
  });

  it('prunes processed notifications past the retention and still recognises redeliveries within it', async () => {
    const note = (messageId: number, businessId = B) => ({
      type: 'CHAT_MESSAGE_SENT' as const,
      businessId,
      chatId: 1n,
      messageId: String(messageId),
      eventTime: '2026-11-20T12:30:00+03:00',
    });
    const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}T10:00:00.000Z`;
    await opened.store.enqueue(note(1), day(1)); // processed, past the retention
    await opened.store.enqueue(note(2), day(20)); // processed, within it
    await opened.store.enqueue(note(3), day(1)); // never processed: kept whatever its age
    await opened.store.enqueue(note(4, 2002n), day(1)); // another business's: not this prune's
    const queued = await opened.store.unprocessed();
    const id = (m: string) => queued.find((q) => q.messageId === m)!.inboundId;
    await opened.store.markProcessed([id('1'), id('2'), id('4')], day(21));

    expect(await opened.store.pruneNotifications(B, day(10))).toBe(1);
    expect(await opened.store.pruneNotifications(B, day(10))).toBe(0);
    // A redelivery within the retention is still a duplicate; the pruned one is queued again (and costs
    // nothing when processed: its message is stored).
    expect(await opened.store.enqueue(note(2), day(22))).toBe(false);
    expect(await opened.store.enqueue(note(3), day(22))).toBe(false);
    expect(await opened.store.enqueue(note(4, 2002n), day(22))).toBe(false);
    expect(await opened.store.enqueue(note(1), day(22))).toBe(true);
  });

  it('queues a notification once and lists chats waiting for the seller, longest wait first', async () => {
    const n = {
      type: 'CHAT_MESSAGE_SENT' as const,
      businessId: B,
      chatId: 1n,
      messageId: '11',
      eventTime: '2026-11-20T12:30:00+03:00',
    };
    expect(await opened.store.enqueue(n, NOW)).toBe(true);
    expect(await opened.store.enqueue(n, NOW)).toBe(false);
    expect(await opened.store.unprocessed()).toHaveLength(1);

    await pass([chat(1), chat(2), chat(3, { status: 'WAITING_FOR_CUSTOMER' })]);
    const write = (chatId: bigint, messages: ReturnType<typeof message>[]) =>
      opened.store.writeHistoryPage({
        businessId: B,
        chatId,
        runId: null,
        messages,
        completedAt: NOW,
        now: NOW,
      });
    await write(1n, [
      message(11, { createdAt: '2026-11-20T08:00:00Z' }),
      message(12, { sender: 'PARTNER', createdAt: '2026-11-20T08:05:00Z' }),
      message(13, { createdAt: '2026-11-20T09:00:00Z' }),
    ]);
    await write(2n, [message(21, { createdAt: '2026-11-20T08:30:00Z' })]);
    const waiting = await opened.store.waitingForSeller(B);
    expect(waiting.map((c) => [c.chatId, c.waitingSince])).toEqual([
      [2n, '2026-11-20T08:30:00.000Z'],
      [1n, '2026-11-20T09:00:00.000Z'],
    ]);
  });

  it('lets a named subscriber resume from its saved position, in order, each event once', async () => {
    await pass([chat(1), chat(2)]);
    const write = (chatId: bigint, ids: number[]) =>
      opened.store.writeHistoryPage({
        businessId: B,
        chatId,
        runId: null,
        messages: ids.map((id) => message(id)),
        completedAt: null,
        now: NOW,
      });
    await write(1n, [11, 12]);
    await write(2n, [21]);
    const first = new EventSubscriber(opened.store, { name: 'bot', batch: 2 });
    expect((await first.poll()).map((e) => e.message.messageId)).toEqual([11n, 12n]);
    // A new process with the same name carries on after what the first one took.
    const second = new EventSubscriber(opened.store, { name: 'bot' });
    await write(1n, [13]);
    const controller = new AbortController();
    const seen: bigint[] = [];
    for await (const e of second.follow(controller.signal)) {
      seen.push(e.message.messageId);
      if (seen.length === 2) controller.abort();
    }
    expect(seen).toEqual([21n, 13n]);
    expect(await opened.store.savedPosition('bot')).toBe(await opened.store.lastPosition());
    const fromEnd = new EventSubscriber(opened.store, { from: 'end' });
    expect(await fromEnd.poll()).toEqual([]);
  });
});

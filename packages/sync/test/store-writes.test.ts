/**
 * Edges of the store's bulk writes, the same tests over SQLite and PostgreSQL (where pages and listings
 * travel as typed arrays): texts with every character an array literal gives a meaning to, files of
 * 64-bit messages, and a pass's counts when a push read of the same chat commits in the same group.
 */

import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { chat, message } from './support/fixtures.js';

const B = 1001n;
const NOW = '2026-11-25T10:00:00.000Z';
/** Characters an array literal or its quoting gives a meaning to, and the word it reads as null. */
const AWKWARD = ['NULL', '', '{a,b}', 'say "hi", \\ back\\slash', 'line\nbreak\ttab', ' padded ', 'Ёж 🦔'];

describeEngines('store writes', (engine) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await engine.open();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  /** A listing page of these chats, outside a pass unless a run is given. */
  const listChats = (chats: ReturnType<typeof chat>[], runId: bigint | null = null) =>
    opened.store.writeChatPage({ businessId: B, runId, chats, nextPageToken: null, settleMs: 5000 });

  it('stores texts, names and links exactly, whatever characters they hold', async () => {
    const chats = AWKWARD.map((name, i) =>
      chat(i + 1, { context: { type: 'DIRECT', customer: { name, publicId: `p${name}` } } }),
    );
    const { cursor } = await opened.store.beginPass(B, 'once', NOW);
    await listChats(chats, cursor.runId);
    const stored = await opened.store.chats(B);
    expect(new Map(stored.map((c) => [c.chatId, [c.customerName, c.customerPublicId]]))).toEqual(
      new Map(AWKWARD.map((name, i) => [BigInt(i + 1), [name, `p${name}`]])),
    );
    expect(stored.every((c) => c.orderId === null && c.contextId === null)).toBe(true);

    const big = 2n ** 62n + 11n;
    const added = await opened.store.writeHistoryPages([
      {
        businessId: B,
        chatId: 1n,
        runId: cursor.runId,
        messages: AWKWARD.map((text, i) =>
          message(100 + i, {
            message: text,
            sender: text === '' ? 'CUSTOMER' : `S${text}`,
            createdAt: '2026-11-20T12:30:00.123+03:00',
          }),
        ),
        completedAt: null,
        now: NOW,
      },
      {
        businessId: B,
        chatId: 2n,
        runId: cursor.runId,
        messages: [
          message(big, {
            message: undefined,
            payload: AWKWARD.map((name, i) => ({ name, url: `http://x/${name}`, size: 2 ** 40 + i })),
          }),
        ],
        completedAt: null,
        now: NOW,
      },
    ]);
    expect(added).toEqual([AWKWARD.map((_, i) => BigInt(100 + i)), [big]]);
    const texts = await opened.store.messages(B, 1n);
    expect(texts.map((m) => [m.text, m.sender, m.createdAt])).toEqual(
      AWKWARD.map((text) => [text, text === '' ? 'CUSTOMER' : `S${text}`, '2026-11-20T09:30:00.123Z']),
    );
    const [withFiles] = await opened.store.messages(B, 2n);
    expect(withFiles?.messageId).toBe(big);
    expect(withFiles?.text).toBeNull();
    expect(withFiles?.files).toEqual(
      AWKWARD.map((name, i) => ({ position: i, name, url: `http://x/${name}`, size: 2 ** 40 + i })),
    );
    expect(await opened.store.integrityProblems()).toEqual([]);
  });

  it("credits a pass only with what its own pages added when a push's read of the chat commits with them", async () => {
    const { cursor } = await opened.store.beginPass(B, 'once', NOW);
    await listChats([chat(1)], cursor.runId);
    const page = (runId: bigint | null, ids: number[]) => ({
      businessId: B,
      chatId: 1n,
      runId,
      messages: ids.map((id) => message(id)),
      completedAt: null,
      now: NOW,
    });
    // The push's page comes first: the message both pages hold is the push's, not the pass's.
    const added = await opened.store.writeHistoryPages([page(null, [61, 62]), page(cursor.runId, [62, 63])]);
    expect(added).toEqual([[61n, 62n], [63n]]);
    expect((await opened.store.runs(B))[0]).toMatchObject({ historyPages: 1, messagesAdded: 1 });
    // The pass's page first: it added both its messages.
    const again = await opened.store.writeHistoryPages([page(cursor.runId, [64, 65]), page(null, [65, 66])]);
    expect(again).toEqual([[64n, 65n], [66n]]);
    expect((await opened.store.runs(B))[0]).toMatchObject({ historyPages: 2, messagesAdded: 3 });
    const events = await opened.store.eventsAfter(0n);
    expect(events.map((e) => e.message.messageId)).toEqual([61n, 62n, 63n, 64n, 65n, 66n]);
  });

  const historyPage = (chatId: bigint, runId: bigint | null, messages: ReturnType<typeof message>[]) => ({
    businessId: B,
    chatId,
    runId,
    messages,
    completedAt: null,
    now: NOW,
  });

  it('keeps a NUL character as U+FFFD in both engines instead of failing the page and its group', async () => {
    await listChats([
      chat(1, { context: { type: 'DIRECT', customer: { name: 'a\u0000b', publicId: 'p' } } }),
      chat(2),
    ]);
    const added = await opened.store.writeHistoryPages([
      historyPage(2n, null, [message(20)]),
      historyPage(1n, null, [
        message(10, {
          message: 'x\u0000y',
          payload: [{ name: 'f\u0000.txt', url: 'http://x/\u0000', size: 1 }],
        }),
      ]),
    ]);
    expect(added).toEqual([[20n], [10n]]);
    const [stored] = await opened.store.messages(B, 1n);
    expect([stored?.text, stored?.files[0]?.name, stored?.files[0]?.url]).toEqual([
      'x\uFFFDy',
      'f\uFFFD.txt',
      'http://x/\uFFFD',
    ]);
    expect((await opened.store.chat(B, 1n))?.customerName).toBe('a\uFFFDb');
  });

  it("stores a message two chats' pages of one group hold once, with the first page's files only", async () => {
    await listChats([chat(1), chat(2)]);
    const file = (name: string) => ({ name, url: `http://x/${name}`, size: 1 });
    const added = await opened.store.writeHistoryPages([
      historyPage(1n, null, [message(7, { payload: [file('a')] })]),
      historyPage(2n, null, [message(7, { payload: [file('b'), file('c')] })]),
    ]);
    expect(added).toEqual([[7n], []]);
    const [kept] = await opened.store.messages(B, 1n);
    expect(kept?.files.map((f) => f.name)).toEqual(['a']);
    expect(await opened.store.messages(B, 2n)).toEqual([]);
  });

  it('stores sub-millisecond times truncated to the millisecond in both engines', async () => {
    await listChats([chat(1)]);
    await opened.store.writeHistoryPage(
      historyPage(1n, null, [message(5, { createdAt: '2026-11-20T12:30:00.9999999Z' })]),
    );
    const [stored] = await opened.store.messages(B, 1n);
    expect(stored?.createdAt).toBe('2026-11-20T12:30:00.999Z');
  });

  it('writes a listing page that names a chat twice, keeping its newest state', async () => {
    const { cursor } = await opened.store.beginPass(B, 'once', NOW);
    await listChats(
      [
        chat(1, { status: 'WAITING_FOR_PARTNER', updatedAt: '2026-11-20T12:30:00+03:00' }),
        chat(1, { status: 'FINISHED', updatedAt: '2026-11-21T12:30:00+03:00' }),
        chat(1, { status: 'NEW', updatedAt: '2026-11-19T12:30:00+03:00' }),
      ],
      cursor.runId,
    );
    const stored = await opened.store.chats(B);
    expect(stored.map((c) => [c.chatId, c.status, c.updatedAt])).toEqual([
      [1n, 'FINISHED', '2026-11-21T09:30:00.000Z'],
    ]);
  });

  it("publishes a chat's messages in id order when two of its pages in one group interleave", async () => {
    await listChats([chat(1)]);
    // A push's read and a pass's read of the same chat, committed together.
    await opened.store.writeHistoryPages([
      historyPage(1n, null, [message(3), message(9)]),
      historyPage(1n, null, [message(3), message(4), message(10)]),
    ]);
    const events = await opened.store.eventsAfter(0n);
    expect(events.map((e) => e.message.messageId)).toEqual([3n, 4n, 9n, 10n]);
  });
});

/**
 * The waiting rule's two renderings agree: the SQL expression the store's query and the inbox's indexer use,
 * and the pure function over a message list, on the same message sequences, on both engines.
 */
import type { ChatMessage } from '@ym-chats/sdk';
import { unansweredOf, WAITING_STATUS, waitingSinceSql } from '@ym-chats/sync';
import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { chat, message } from './support/fixtures.js';

const B = 1001n;
const NOW = '2026-11-25T10:00:00.000Z';

type Sender = 'CUSTOMER' | 'PARTNER' | 'MARKET' | 'SUPPORT' | 'SOMEONE_NEW';

/** Senders in the chat's order; the expected start of the wait is the index of the message it starts at. */
const CASES: { name: string; senders: Sender[]; since: number | null; count: number }[] = [
  { name: 'no messages', senders: [], since: null, count: 0 },
  { name: 'one buyer message', senders: ['CUSTOMER'], since: 0, count: 1 },
  { name: 'answered', senders: ['CUSTOMER', 'PARTNER'], since: null, count: 0 },
  {
    name: 'asked again after the answer',
    senders: ['CUSTOMER', 'PARTNER', 'CUSTOMER', 'CUSTOMER'],
    since: 2,
    count: 2,
  },
  { name: 'the seller spoke first', senders: ['PARTNER', 'CUSTOMER'], since: 1, count: 1 },
  { name: 'MARKET does not stop the clock', senders: ['CUSTOMER', 'MARKET'], since: 0, count: 1 },
  {
    name: 'SUPPORT does not stop it either',
    senders: ['CUSTOMER', 'SUPPORT', 'CUSTOMER'],
    since: 0,
    count: 2,
  },
  { name: 'MARKET does not start it', senders: ['PARTNER', 'MARKET', 'SUPPORT'], since: null, count: 0 },
  {
    name: 'a sender added later is neither',
    senders: ['CUSTOMER', 'SOMEONE_NEW', 'PARTNER', 'SOMEONE_NEW'],
    since: null,
    count: 0,
  },
  {
    name: 'seller last',
    senders: ['CUSTOMER', 'CUSTOMER', 'PARTNER', 'MARKET', 'PARTNER'],
    since: null,
    count: 0,
  },
  {
    name: 'buyer after the platform',
    senders: ['PARTNER', 'SUPPORT', 'CUSTOMER', 'MARKET', 'CUSTOMER'],
    since: 2,
    count: 2,
  },
];

/** Messages a minute apart, ids in order: the times tell which message the wait starts at. */
function messagesOf(chatId: number, senders: Sender[]): ChatMessage[] {
  return senders.map((sender, i) =>
    message(chatId * 100 + i + 1, {
      sender,
      createdAt: new Date(Date.UTC(2026, 10, 20, 9, i)).toISOString(),
    }),
  );
}

describeEngines('waiting rule', (engine) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await engine.open();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('the SQL and the function over a message list agree on every sequence', async () => {
    const { store } = opened;
    const chats = CASES.map((_, i) => chat(i + 1, { status: WAITING_STATUS }));
    const { cursor } = await store.beginPass(B, 'once', NOW);
    await store.writeChatPage({
      businessId: B,
      runId: cursor.runId,
      chats,
      nextPageToken: null,
      settleMs: 5000,
    });
    for (const [i, c] of CASES.entries()) {
      const messages = messagesOf(i + 1, c.senders);
      if (messages.length === 0) continue;
      await store.writeHistoryPage({
        businessId: B,
        chatId: BigInt(i + 1),
        runId: null,
        messages,
        completedAt: NOW,
        now: NOW,
      });
    }
    const rows = await store.database().all(
      `SELECT c.chat_id, ${waitingSinceSql('c.business_id', 'c.chat_id')} AS since FROM chats c
        WHERE c.business_id = ? ORDER BY c.chat_id`,
      [B],
    );
    const waiting = new Map((await store.waitingForSeller(B)).map((w) => [Number(w.chatId), w.waitingSince]));
    for (const [i, c] of CASES.entries()) {
      const stored = await store.messages(B, BigInt(i + 1));
      const expected = c.since === null ? null : messagesOf(i + 1, c.senders)[c.since]!.createdAt;
      const fromList = unansweredOf(stored);
      const fromSql = rows[i]?.since ?? null;
      expect({ case: c.name, sql: fromSql, list: fromList?.since ?? null }).toEqual({
        case: c.name,
        sql: expected,
        list: expected,
      });
      expect(fromList?.count ?? 0, c.name).toBe(c.count);
      // The store's query: the same start, or the chat's updatedAt when nothing is unanswered.
      expect(waiting.get(i + 1), c.name).toBe(expected ?? '2026-11-20T09:30:00.000Z');
    }
  });
});

/**
 * search_messages over a store: through the store's index when it has one (its candidates, checked with the
 * same rule as a scan, page by page), by reading every message when it has none or the index cannot help.
 */
import { describe, expect, it } from 'vitest';
import type { ChatStore, MessageIndex, StoredChat, StoredMessage } from '../src/source/store.js';
import { StoreSource } from '../src/source/store.js';

const B = 7n;

function chat(chatId: bigint): StoredChat {
  return {
    chatId,
    type: 'CHAT',
    status: 'WAITING_FOR_PARTNER',
    contextType: 'DIRECT',
    orderId: null,
    returnId: null,
    customerName: null,
    customerPublicId: null,
    createdAt: '2026-11-20T09:00:00.000Z',
    updatedAt: '2026-11-20T09:00:00.000Z',
  };
}

/** 3 chats × 300 messages; every 10th says "refund please", every 50th has a file "refund.pdf". */
const MESSAGES = new Map<bigint, StoredMessage[]>();
for (const c of [1n, 2n, 3n]) {
  MESSAGES.set(
    c,
    Array.from({ length: 300 }, (_, i) => {
      const id = c * 1000n + BigInt(i);
      return {
        messageId: id,
        sender: i % 20 === 0 ? 'PARTNER' : 'CUSTOMER',
        text: i % 10 === 0 ? `Refund please ${i}` : `hello ${i}`,
        createdAt: new Date(Date.UTC(2026, 10, 20, 0, 0, Number(id))).toISOString(),
        files: i % 50 === 0 ? [{ name: 'refund.pdf', size: 1 }] : [],
      };
    }),
  );
}
const ALL = [...MESSAGES.entries()].flatMap(([chatId, list]) => list.map((m) => ({ ...m, chatId })));

function store(index?: MessageIndex): ChatStore & { reads: number } {
  const s = {
    reads: 0,
    chats: async () => [...MESSAGES.keys()].map(chat),
    chat: async (_b: bigint, c: bigint) => (MESSAGES.has(c) ? chat(c) : undefined),
    messages: async (_b: bigint, c: bigint) => {
      s.reads++;
      return MESSAGES.get(c) ?? [];
    },
    runs: async () => [],
    ...(index === undefined ? {} : { index }),
  };
  return s;
}

/** An index looser than the inbox's (the first word only, as a prefix): candidates, newest first, in pages. */
function fakeIndex(calls: string[], built = true): MessageIndex {
  return {
    async candidates(_b, query, options) {
      calls.push(`${query}<${options.beforeMessageId ?? '∞'}`);
      if (!built) return undefined;
      const word = query.toLowerCase().split(/\s+/)[0]!;
      return ALL.filter(
        (m) =>
          (options.beforeMessageId === undefined || m.messageId < options.beforeMessageId) &&
          (options.chatId === undefined || m.chatId === options.chatId) &&
          (options.sender === undefined || m.sender === options.sender) &&
          (m.files.length > 0 ||
            (m.text ?? '')
              .toLowerCase()
              .split(/\W+/)
              .some((t) => t.startsWith(word))),
      )
        .sort((a, b) => Number(b.messageId - a.messageId))
        .slice(0, options.limit);
    },
  };
}

describe('store search', () => {
  it('finds the same newest hits through the index as by reading every message', async () => {
    const calls: string[] = [];
    const indexed = store(fakeIndex(calls));
    const scanned = store();
    for (const [query, options] of [
      ['refund', { limit: 20 }],
      ['REFUND PLEASE', { limit: 100 }],
      ['refund.pdf', { limit: 5 }],
      ['please', { limit: 10, sender: 'PARTNER' }],
      ['refund', { limit: 10, chatId: 2 }],
      ['hello 5', { limit: 20 }],
    ] as const) {
      const viaIndex = await new StoreSource(indexed, B).search(query, options);
      const viaScan = await new StoreSource(scanned, B).search(query, options);
      expect(viaIndex.hits, query).toEqual(viaScan.hits);
      expect(viaIndex.scannedMessages).toBeLessThan(viaScan.scannedMessages);
    }
    // The index was read, page by page when a page held too few hits; no chat was read whole.
    expect(indexed.reads).toBe(0);
    expect(calls.filter((c) => c.startsWith('hello 5<')).length).toBeGreaterThan(2);
    expect(scanned.reads).toBeGreaterThan(0);
  });

  it('reads every message when the store was never indexed', async () => {
    const calls: string[] = [];
    const s = store(fakeIndex(calls, false));
    const { hits, scannedMessages } = await new StoreSource(s, B).search('refund', { limit: 5 });
    expect(calls).toEqual(['refund<∞']);
    expect(scannedMessages).toBe(900);
    expect(hits.map((h) => h.messageId)).toEqual([3290, 3280, 3270, 3260, 3250]);
  });
});

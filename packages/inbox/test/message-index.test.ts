/**
 * The word index handed to other readers of the store (`ym-chats mcp`'s search): candidates by word
 * prefix, messages with files, the log's unindexed rest; nothing for a store the inbox never indexed.
 */
import type { ChatMessage } from '@ym-chats/sdk';
import { StoreMessageIndex } from '@ym-chats/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Indexer } from '../src/store/indexer.js';
import { migrateInbox } from '../src/store/migrations.js';
import { describeStores, type TestStore } from './support/stores.js';

const B = 1001n;
const NOW = '2026-11-25T10:00:00.000Z';

function msg(id: number, text: string | undefined, extra: Partial<ChatMessage> = {}): ChatMessage {
  return {
    messageId: id,
    createdAt: '2026-11-20T09:00:00Z',
    sender: 'CUSTOMER',
    ...(text === undefined ? {} : { message: text }),
    ...extra,
  };
}

describeStores('message index for other readers', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
    await migrateInbox(t.store.database());
  });
  afterEach(async () => t.dispose());

  async function write(chatId: number, messages: ChatMessage[]) {
    const { cursor } = await t.store.beginPass(B, 'once', NOW);
    await t.store.writeChatPage({
      businessId: B,
      runId: cursor.runId,
      chats: [
        {
          chatId,
          context: { type: 'DIRECT' },
          type: 'CHAT',
          status: 'WAITING_FOR_PARTNER',
          createdAt: '2026-11-20T09:00:00Z',
          updatedAt: '2026-11-20T09:30:00Z',
        },
      ],
      nextPageToken: null,
      settleMs: 5000,
    });
    await t.store.writeHistoryPage({
      businessId: B,
      chatId: BigInt(chatId),
      runId: null,
      messages,
      completedAt: NOW,
      now: NOW,
    });
  }

  const ids = (found: { messageId: bigint }[] | undefined) => found?.map((m) => Number(m.messageId));

  it('hands out word matches, messages with files and the unindexed rest, newest first', async () => {
    const index = new StoreMessageIndex(t.store);
    await write(1, [
      msg(11, 'Где мой заказ?'),
      msg(12, 'Посылка пришла помятой'),
      msg(13, undefined, { payload: [{ name: 'photo.png', url: 'https://example.test/p', size: 10 }] }),
      msg(14, 'спасибо', { sender: 'PARTNER' }),
    ]);
    // Never indexed: the reader scans.
    expect(await index.candidates(B, 'помят', { limit: 10 })).toBeUndefined();
    await new Indexer(t.store, () => undefined).catchUp();
    expect(ids(await index.candidates(B, 'ПОМЯТ', { limit: 10 }))).toEqual([13, 12]);
    expect(ids(await index.candidates(B, 'заказ', { limit: 10, sender: 'PARTNER' }))).toEqual([]);
    expect(ids(await index.candidates(B, 'заказ', { limit: 1 }))).toEqual([13]);
    expect(ids(await index.candidates(B, 'заказ', { limit: 10, beforeMessageId: 13n }))).toEqual([11]);
    const [withFile] = (await index.candidates(B, 'photo', { limit: 1 })) ?? [];
    expect(withFile?.files).toEqual([{ name: 'photo.png', size: 10 }]);
    // Written after the indexer's last run: a candidate whatever its words, until indexed.
    await write(2, [msg(21, 'новое сообщение')]);
    expect(ids(await index.candidates(B, 'помят', { limit: 10 }))).toEqual([21, 13, 12]);
    expect(ids(await index.candidates(B, 'помят', { limit: 10, chatId: 1n }))).toEqual([13, 12]);
    await new Indexer(t.store, () => undefined).catchUp();
    expect(ids(await index.candidates(B, 'помят', { limit: 10 }))).toEqual([13, 12]);
    // No words, no help from the index.
    expect(await index.candidates(B, '?!', { limit: 10 })).toBeUndefined();
  });
});

/**
 * `store.integrityProblems()` finds each kind of damage it names (every other suite only sees it report
 * none), and a chat's messages come back with their own files only, both engines.
 */

import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { chat, message } from './support/fixtures.js';

const B = 1001n;
const NOW = '2026-11-25T10:00:00.000Z';

describeEngines('store integrity', (engine) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await engine.open();
    const { store } = opened;
    await store.writeChatPage({
      businessId: B,
      runId: null,
      chats: [chat(7), chat(8)],
      nextPageToken: null,
      settleMs: 0,
    });
    // Ids interleave between the chats, as they do on the platform; some messages carry files.
    const file = (name: string) => ({ name, url: `https://files.example/${name}`, size: 10 });
    for (const [chatId, ids] of [
      [7n, [1, 3, 5]],
      [8n, [2, 4, 6]],
    ] as const) {
      await store.writeHistoryPage({
        businessId: B,
        chatId,
        runId: null,
        messages: ids.map((id) => message(id, id % 3 === 0 ? {} : { payload: [file(`f${id}`)] })),
        completedAt: NOW,
        now: NOW,
      });
    }
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('reports nothing for a store written by the engine', async () => {
    expect(await opened.store.integrityProblems()).toEqual([]);
  });

  it('finds a message without an event', async () => {
    await opened.store.database().run('DELETE FROM events WHERE message_id = ?', [3n]);
    expect(await opened.store.integrityProblems()).toEqual(['1 messages without an event']);
  });

  it('finds a message published twice', async () => {
    await opened.store
      .database()
      .run(
        "INSERT INTO events (business_id, chat_id, message_id, kind, recorded_at) VALUES (?, ?, ?, 'message', ?)",
        [B, 8n, 4n, NOW],
      );
    expect(await opened.store.integrityProblems()).toEqual(['1 messages published more than once']);
  });

  it('finds a chat whose last_message_id is not its newest message', async () => {
    await opened.store.database().run('UPDATE chats SET last_message_id = ? WHERE chat_id = ?', [3n, 7n]);
    expect(await opened.store.integrityProblems()).toEqual([
      '1 chats whose last_message_id is not their newest message',
    ]);
  });

  it("gives each message its own files, not another chat's", async () => {
    const files = async (chatId: bigint, afterMessageId?: bigint) =>
      (await opened.store.messages(B, chatId, afterMessageId === undefined ? {} : { afterMessageId })).map(
        (m) => `${m.messageId}:${m.files.map((f) => f.name).join(',')}`,
      );
    expect(await files(7n)).toEqual(['1:f1', '3:', '5:f5']);
    expect(await files(8n)).toEqual(['2:f2', '4:f4', '6:']);
    expect(await files(8n, 2n)).toEqual(['4:f4', '6:']);
  });
});

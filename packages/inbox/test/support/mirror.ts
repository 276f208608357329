/**
 * Copies the emulator's chats into the store through the store's own write API — the same writes the sync
 * engine makes — so the inbox's tests read a store filled from the real emulator.
 */
import type { Chat, ChatMessage, ChatsApi } from '@ym-chats/sdk';
import type { SyncStore } from '@ym-chats/sync';

async function writeChats(store: SyncStore, client: ChatsApi, businessId: number, chats: Chat[]) {
  const b = BigInt(businessId);
  const { cursor } = await store.beginPass(b, 'once', new Date().toISOString());
  await store.writeChatPage({ businessId: b, runId: cursor.runId, chats, nextPageToken: null, settleMs: 0 });
  for (const chat of chats) {
    const last = await store.lastMessageId(b, BigInt(chat.chatId));
    const messages: ChatMessage[] = [];
    const from = last === null ? {} : { messageIdFrom: Number(last) };
    for await (const m of client.iterateChatHistory(businessId, chat.chatId, from)) messages.push(m);
    const now = new Date().toISOString();
    await store.writeHistoryPage({
      businessId: b,
      chatId: BigInt(chat.chatId),
      runId: cursor.runId,
      messages,
      completedAt: now,
      now,
    });
  }
  await store.finishPass(b, cursor.runId, new Date().toISOString());
}

/** Every chat of the business, with its whole history. */
export async function mirrorAll(store: SyncStore, client: ChatsApi, businessId: number): Promise<void> {
  const chats: Chat[] = [];
  for await (const chat of client.iterateChats(businessId)) chats.push(chat);
  await writeChats(store, client, businessId, chats);
}

/** One chat (after the test changed it through the emulator). */
export async function mirrorChat(store: SyncStore, client: ChatsApi, businessId: number, chatId: number) {
  const { result } = await client.getChat(businessId, chatId);
  await writeChats(store, client, businessId, [result]);
}

/** Chats and messages shaped as the SDK hands them out, for store-level tests. */
import type { Chat, ChatMessage } from '@ym-chats/sdk';

export function chat(chatId: number | bigint, overrides: Partial<Chat> = {}): Chat {
  return {
    chatId: chatId as number,
    context: {
      type: 'ORDER',
      orderId: 50_000_001,
      campaignId: 20_001_001,
      customer: { name: 'Анна К.', publicId: 'p1' },
    },
    type: 'CHAT',
    status: 'WAITING_FOR_PARTNER',
    createdAt: '2026-11-01T10:00:00+03:00',
    updatedAt: '2026-11-20T12:30:00+03:00',
    ...overrides,
  };
}

export function message(messageId: number | bigint, overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    messageId: messageId as number,
    createdAt: '2026-11-20T12:30:00+03:00',
    sender: 'CUSTOMER',
    message: `text ${messageId}`,
    ...overrides,
  };
}

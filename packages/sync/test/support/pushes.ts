/** Push bodies as the platform sends them, and deliveries duplicated and out of order. */
import { BUSINESS } from '@ym-chats/testkit';

export function messageSentPush(chatId: number, message: { messageId: number; createdAt: string }): string {
  return JSON.stringify({
    notificationType: 'CHAT_MESSAGE_SENT',
    businessId: BUSINESS,
    chatId,
    messageId: String(message.messageId),
    sentAt: message.createdAt,
  });
}

export function chatCreatedPush(chat: { chatId: number; createdAt: string }): string {
  return JSON.stringify({
    notificationType: 'CHAT_CREATED',
    businessId: BUSINESS,
    chatId: chat.chatId,
    createdAt: chat.createdAt,
  });
}

/** A seeded, deterministic shuffle: the same deliveries in the same disorder on every run. */
export function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

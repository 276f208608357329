import { type ChatsApi, outcomeOf, type SendOutcome } from '@ym-chats/sdk';
import type { ChatKey } from '../types.js';

export type ReplyContent = { text: string } | { file: { data: Uint8Array; name: string } };

/** One request to the API for a reply, its outcome in the SDK's words (sent, maybeSent, notSent). */
export function sendReply(api: ChatsApi, chat: ChatKey, content: ReplyContent): Promise<SendOutcome> {
  return outcomeOf(() =>
    'text' in content
      ? api.sendMessageToChat(chat.businessId, chat.chatId, { message: content.text })
      : api.sendFileToChat(chat.businessId, chat.chatId, content.file),
  );
}

import { type ChatsApi, ChatsApiError, ValidationError } from '@ym-chats/sdk';
import type { ChatKey } from '../types.js';

/**
 * What became of a reply. `maybe_sent` is the SDK's `maybeSent`: the request may have reached the platform,
 * so the page tells the agent to look at the chat before sending again — the inbox never resends by itself.
 */
export type SendOutcome =
  | { state: 'sent' }
  | { state: 'maybe_sent'; message: string }
  | { state: 'failed'; code: string; message: string };

export type ReplyContent = { text: string } | { file: { data: Uint8Array; name: string } };

export async function sendReply(api: ChatsApi, chat: ChatKey, content: ReplyContent): Promise<SendOutcome> {
  try {
    if ('text' in content) {
      await api.sendMessageToChat(chat.businessId, chat.chatId, { message: content.text });
    } else {
      await api.sendFileToChat(chat.businessId, chat.chatId, content.file);
    }
    return { state: 'sent' };
  } catch (error) {
    if (error instanceof ValidationError) return { state: 'failed', code: 'INVALID', message: error.message };
    if (error instanceof ChatsApiError) {
      if (error.maybeSent) return { state: 'maybe_sent', message: error.message };
      return {
        state: 'failed',
        code: error.errors[0]?.code ?? `HTTP_${error.status ?? 0}`,
        message: error.message,
      };
    }
    throw error;
  }
}

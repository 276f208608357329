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

/**
 * Each draft carries a page-made id; a repeat of the same id (a double click, a retried request) gets the
 * first attempt's outcome instead of a second send.
 */
export class SendLedger {
  private readonly outcomes = new Map<string, Promise<SendOutcome>>();

  constructor(private readonly capacity = 10_000) {}

  once(id: string, send: () => Promise<SendOutcome>): { outcome: Promise<SendOutcome>; repeated: boolean } {
    const known = this.outcomes.get(id);
    if (known) return { outcome: known, repeated: true };
    const outcome = send();
    this.outcomes.set(id, outcome);
    // A send that threw (a bug, not an API answer) may be tried again.
    outcome.catch(() => this.outcomes.delete(id));
    if (this.outcomes.size > this.capacity) {
      const oldest = this.outcomes.keys().next().value;
      if (oldest !== undefined) this.outcomes.delete(oldest);
    }
    return { outcome, repeated: false };
  }
}

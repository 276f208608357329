/**
 * What the desk reads from the platform itself, never from the store (which may lag behind it when pushes
 * are late, lost or not configured): a chat's messages after a given one, and which of them a send made.
 */
import {
  type ChatMessage,
  type ChatsApi,
  judgeHistory,
  type SendFingerprint,
  storedFileName,
  type Verdict,
} from '@ym-chats/sdk';
import type { ChatKey } from '../types.js';
import type { ReplyContent } from './send.js';

/** Pages read at most: a chat that grew by more than this since the page looked is a conflict anyway. */
const MAX_PAGES = 5;
const PAGE = 100;

export interface AfterRead {
  /** The messages newer than the one asked for, oldest first. */
  messages: ChatMessage[];
  /** The newest message id the platform has for the chat (the mark a send is judged after). */
  newest: number;
}

/** One getChatHistory from `afterMessageId` (inclusive on the platform, dropped here), more pages if any. */
export async function readAfter(api: ChatsApi, chat: ChatKey, afterMessageId: number): Promise<AfterRead> {
  const request = afterMessageId > 0 ? { messageIdFrom: afterMessageId } : {};
  const messages: ChatMessage[] = [];
  let newest = afterMessageId;
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { result } = await api.getChatHistory(chat.businessId, chat.chatId, request, token, PAGE);
    for (const message of result.messages) {
      const id = Number(message.messageId);
      newest = Math.max(newest, id);
      if (id > afterMessageId) messages.push(message);
    }
    const next = result.paging?.nextPageToken;
    if (!next || next === token) break;
    token = next;
  }
  messages.sort((a, b) => Number(a.messageId) - Number(b.messageId));
  return { messages, newest };
}

export function fingerprintOf(content: ReplyContent): SendFingerprint {
  return 'text' in content
    ? { kind: 'text', text: content.text }
    : { kind: 'file', name: storedFileName(content.file.name), size: content.file.data.length };
}

/** The SDK's verdict on the messages after the mark, and the message that is the send when delivered. */
export function findSend(
  after: readonly ChatMessage[],
  sent: SendFingerprint,
): { verdict: Verdict; messageId?: number } {
  const verdict = judgeHistory(after, sent);
  if (verdict !== 'delivered') return { verdict };
  const match = after.find(
    (m) =>
      m.sender === 'PARTNER' &&
      (sent.kind === 'text'
        ? m.message === sent.text
        : (m.payload ?? []).some((f) => f.name === sent.name && f.size === sent.size)),
  );
  return match ? { verdict, messageId: Number(match.messageId) } : { verdict };
}

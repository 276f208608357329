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

/**
 * Pages read at most per check (1 000 messages): a chat that grew by more since the page looked is not read
 * to its end in one request; the check says so (`complete: false`) and the agent decides.
 */
const MAX_PAGES = 10;
const PAGE = 100;

export interface AfterRead {
  /** The messages newer than the one asked for, oldest first. */
  messages: ChatMessage[];
  /**
   * The newest message id the platform returned (the mark a send is judged after); `afterMessageId` itself
   * when the chat has nothing newer. Never a number the caller made up: see `readAfter`.
   */
  newest: number;
  /** Whether the history was read to its end. */
  complete: boolean;
}

/**
 * The chat's messages after `afterMessageId`: getChatHistory from that message (the platform includes it),
 * more pages if any, at most MAX_PAGES. Undefined when the platform does not have that message in this
 * chat (a page's mistake): a mark it never returned could hide the send from its own check.
 */
export async function readAfter(
  api: ChatsApi,
  chat: ChatKey,
  afterMessageId: number,
): Promise<AfterRead | undefined> {
  const request = afterMessageId > 0 ? { messageIdFrom: afterMessageId } : {};
  const messages: ChatMessage[] = [];
  let newest = 0;
  let token: string | undefined;
  let complete = false;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { result } = await api.getChatHistory(chat.businessId, chat.chatId, request, token, PAGE);
    for (const message of result.messages) {
      const id = Number(message.messageId);
      newest = Math.max(newest, id);
      if (id > afterMessageId) messages.push(message);
    }
    const next = result.paging?.nextPageToken;
    if (!next || next === token) {
      complete = true;
      break;
    }
    token = next;
  }
  if (afterMessageId > 0 && newest < afterMessageId) return undefined;
  messages.sort((a, b) => Number(a.messageId) - Number(b.messageId));
  return { messages, newest, complete };
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

/**
 * The API returns a chat's history oldest first and cannot be read backwards, so "the newest N messages"
 * and "since when has the buyer waited" both mean walking every page. Pages of 100 (the maximum) keep the
 * number of calls low; a cap keeps one tool call from eating the hourly quota on a huge chat.
 */
import type { ChatMessage, ChatsApi, Id } from '@ym-chats/sdk';

export const HISTORY_PAGE = 100;
/** 30 pages = 3000 messages; far beyond a normal buyer conversation. */
export const MAX_HISTORY_PAGES = 30;

export interface Tail {
  /** The newest `keep` messages, oldest first. */
  messages: ChatMessage[];
  /** Messages seen in total. */
  total: number;
  /** False when the page cap stopped the walk: `messages` are then not the newest. */
  complete: boolean;
  /** The buyer's messages after the seller's last one: when the first came and how many. */
  unanswered: { since: string; count: number } | null;
}

export async function readTail(api: ChatsApi, businessId: Id, chatId: Id, keep: number): Promise<Tail> {
  const messages: ChatMessage[] = [];
  let total = 0;
  let pageToken: string | undefined;
  let pages = 0;
  let unanswered: Tail['unanswered'] = null;
  do {
    const { result } = await api.getChatHistory(businessId, chatId, {}, pageToken, HISTORY_PAGE);
    pages++;
    for (const message of result.messages) {
      total++;
      messages.push(message);
      if (messages.length > keep) messages.shift();
      if (message.sender === 'PARTNER') unanswered = null;
      else if (message.sender === 'CUSTOMER') {
        unanswered = unanswered
          ? { since: unanswered.since, count: unanswered.count + 1 }
          : { since: message.createdAt, count: 1 };
      }
    }
    pageToken = result.paging?.nextPageToken;
  } while (pageToken !== undefined && pages < MAX_HISTORY_PAGES);
  return { messages, total, complete: pageToken === undefined, unanswered };
}

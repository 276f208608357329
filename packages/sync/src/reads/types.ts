/**
 * The shapes of the store's read model, as applications show them (the inbox's JSON API returns them as
 * they are): ids as numbers (every documented id fits), times as the store keeps them.
 */

export interface ChatKey {
  businessId: number;
  chatId: number;
}

export interface ChatContextSummary {
  type: string;
  /** The order, return or DIRECT chat the conversation is about. */
  id?: number;
  orderId?: number;
  returnId?: number;
  customerName?: string;
}

export interface ChatSummary {
  businessId: number;
  chatId: number;
  status: string;
  type: string;
  context: ChatContextSummary;
  createdAt: string;
  updatedAt: string;
  /** When the buyer started waiting for the seller (the oldest unanswered buyer message); absent when nobody waits. */
  waitingSince?: string;
  lastMessage?: { sender: string; text: string; createdAt: string };
}

export interface FileSummary {
  name: string;
  url: string;
  size: number;
}

export interface MessageSummary {
  messageId: number;
  chatId: number;
  sender: string;
  text?: string;
  createdAt: string;
  files: FileSummary[];
}

export interface QueueFilter {
  statuses?: string[];
  types?: string[];
  contexts?: string[];
  /** Only these chats. */
  onlyChats?: ChatKey[];
  /** Never these chats. */
  exceptChats?: ChatKey[];
}

/** Position after the last chat of a page, in urgency order. */
export interface QueueCursor {
  waiting: boolean;
  /** ISO time the queue is ordered by within its group. */
  at: string;
  chatId: number;
}

export interface QueueQuery {
  businessIds: number[];
  filter: QueueFilter;
  limit: number;
  after?: QueueCursor;
}

/** A chat the search found: why, its newest matching message, how many of its messages matched. */
export interface SearchRow {
  businessId: number;
  chatId: number;
  /** The chat matched by its id, its order's or return's id, or its buyer's name (ranked first). */
  matchedBy?: 'chat' | 'order' | 'return' | 'name';
  /** The newest message holding every searched word (as a word prefix or a word form), if any. */
  messageId?: number;
  text?: string;
  /** How many of the chat's messages hold every searched word. */
  count: number;
}

/** A page of the chats found, and how many were found in all. */
export interface SearchPage {
  rows: SearchRow[];
  total: number;
  /** The search stopped at its cap (reads/search.ts): `total` is "at least" (shown as "1000+"). */
  capped?: true;
}

/** A chat's status or type changed (the change feed on SQLite; a notice on PostgreSQL). */
export interface ChatChange {
  id: bigint;
  businessId: number;
  chatId: number;
}

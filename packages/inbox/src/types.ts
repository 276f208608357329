/**
 * The inbox's view of the store: what the page shows, in the shapes the JSON API returns. The store behind
 * it (the sync package's tables, or anything else) is reached through `InboxSource` only.
 */

import type {
  ChatContextSummary,
  ChatKey,
  ChatSummary,
  FileSummary,
  MessageSummary,
  QueueCursor,
  QueueFilter,
  QueueQuery,
} from '@ym-chats/sync';

// The read model's shapes are sync's (it owns the read model); the inbox's names stay for its API's users.
export type { ChatKey, QueueCursor, QueueFilter, QueueQuery };
export type ChatContextView = ChatContextSummary;
export type FileView = FileSummary;
export type MessageView = MessageSummary;

export interface ChatView extends ChatSummary {
  /** Filled by the inbox from its own tables, not by the source. */
  assignee?: string;
}

/** A chat the search found (once), with its best hit. */
export interface SearchHit {
  chat: ChatView;
  /** Found by its id, its order's or return's id, or its buyer's name: the best hit, shown as the reason. */
  matchedBy?: 'chat' | 'order' | 'return' | 'name';
  /** The newest matching message, if a message matched. */
  messageId?: number;
  /** That message's text (possibly shortened around the hits); the page highlights `ranges` in it. */
  text: string;
  /** [start, end) UTF-16 offsets of the matched words in `text`. */
  ranges: Array<[number, number]>;
  /** How many of the chat's messages matched. */
  count: number;
}

/** A page of the chats found, and how many chats were found in all. */
export interface SearchResult {
  hits: SearchHit[];
  total: number;
  /** The store's search stopped at its cap: `total` is "at least" (the page shows "1000+"). */
  capped?: true;
}

/** Something changed in the store; the inbox re-reads what it needs and tells the pages. */
export type SourceChange =
  | { kind: 'message'; businessId: number; chatId: number; messageId?: number }
  | { kind: 'chat'; businessId: number; chatId: number };

export interface InboxSource {
  /** Chats in urgency order: waiting for the seller first (longest wait first), then the rest, newest first. */
  queue(query: QueueQuery): Promise<ChatView[]>;
  chat(businessId: number, chatId: number): Promise<ChatView | undefined>;
  /** Messages oldest first; `beforeMessageId` pages backwards from the newest. */
  history(
    businessId: number,
    chatId: number,
    options: { beforeMessageId?: number; limit: number },
  ): Promise<MessageView[]>;
  /** The first `limit` chats found (`searchChats`' hits). */
  search(businessIds: number[], query: string, limit: number): Promise<SearchHit[]>;
  /** A page of the chats found, each once with its best hit, and how many were found. */
  searchChats(
    businessIds: number[],
    query: string,
    page: { limit: number; offset?: number },
  ): Promise<SearchResult>;
  /** The attachment a message of this chat carries at this url, if any (guards the download proxy). */
  file(businessId: number, chatId: number, url: string): Promise<FileView | undefined>;
  subscribe(listener: (change: SourceChange) => void): () => void;
  /** New messages were stored (a notification said so): look now rather than at the next poll. */
  wake?(): void;
  /**
   * Reads one chat from the platform into the store now (its status and new messages), so what a reply
   * changed shows at once even when no push comes. Absent when the source has no platform behind it.
   */
  refresh?(chat: ChatKey): Promise<void>;
  /** How many chats each status has (the filter bar's counts; an index walk); absent: no counts. */
  statusCounts?(businessIds: number[]): Promise<Pick<QueueCountsView, 'total' | 'statuses' | 'waiting'>>;
  /** How many chats each type and context has (a scan: the inbox reads it rarely); absent: no counts. */
  kindCounts?(businessIds: number[]): Promise<Pick<QueueCountsView, 'types' | 'contexts'>>;
}

/** Chats per filter value in the agent's businesses, each count regardless of the other filters. */
export interface QueueCountsView {
  total: number;
  statuses: Record<string, number>;
  /** Chats waiting for the seller, however many pages of the queue that is (the tab title's count). */
  waiting: number;
  types: Record<string, number>;
  contexts: Record<string, number>;
}

/**
 * Where the reading tools read from: the API (every call spends quota) or the sync store (a local mirror
 * kept by `ym-chats sync`; no quota, searchable, as fresh as its last pass). Both answer in the tools'
 * output shapes, so the tools do not know which one they talk to.
 */
import { unansweredAfter } from '@ym-chats/sdk';
import type { ChatOut, MessageOut } from '../shapes.js';

export interface ChatFilter {
  statuses?: string[];
  types?: string[];
  contextTypes?: string[];
}

export interface ChatsPage {
  chats: ChatOut[];
  nextPageToken?: string;
}

export interface MessagesPage {
  messages: MessageOut[];
  nextPageToken?: string;
}

export interface Tail {
  /** The newest `keep` messages, oldest first. */
  messages: MessageOut[];
  /** Messages seen in total. */
  total: number;
  /** False when a cap stopped the walk: `messages` are then not the newest. */
  complete: boolean;
  /** The buyer's messages after the seller's last one: when the first came and how many. */
  unanswered: { since: string; count: number } | null;
}

export interface SearchHit extends MessageOut {
  chatId: number;
}

export interface ChatSource {
  readonly kind: 'api' | 'store';
  /** A mirror's age: when it last finished a sync pass (null: never). Absent for the live API. */
  syncedAt?(): Promise<string | null>;
  listChats(filter: ChatFilter, pageToken: string | undefined, limit: number): Promise<ChatsPage>;
  /** Throws when the chat does not exist (the API's NotFoundError, or a ToolError from the store). */
  getChat(chatId: number): Promise<ChatOut>;
  tail(chatId: number, keep: number): Promise<Tail>;
  page(
    chatId: number,
    from: { fromMessageId?: number; pageToken?: string },
    pageSize: number,
  ): Promise<MessagesPage>;
}

/** Follows the buyer's unanswered messages through a chat read oldest first. */
export class UnansweredTracker {
  value: Tail['unanswered'] = null;

  see(sender: string, createdAt: string): void {
    this.value = unansweredAfter(this.value, { sender, createdAt });
  }
}

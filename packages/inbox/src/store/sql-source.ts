/**
 * The inbox's source over the sync store: its read model (`store.reads`: the queue, chats, history,
 * search and attachments, with the chat state and search index the store keeps from its event log) and the
 * store's own writes for `refresh`. The inbox adds only what the page needs on top (search snippets).
 */
import type { ChatsApi } from '@ym-chats/sdk';
import { refreshChat, SyncEngine, type SyncStore } from '@ym-chats/sync';
import type {
  ChatKey,
  ChatView,
  FileView,
  InboxSource,
  MessageView,
  QueueCountsView,
  QueueQuery,
  SearchHit,
  SearchResult,
  SourceChange,
} from '../types.js';
import { Indexer } from './indexer.js';
import { migrateInbox } from './migrations.js';
import { highlightRanges, searchWords, snippet } from './words.js';

// The bare statements behind the reads, for the bench (through internal.ts).
export { chatsSql, queueSql, searchSql } from '@ym-chats/sync';

export class StoreSource implements InboxSource {
  private readonly listeners = new Set<(change: SourceChange) => void>();
  readonly indexer: Indexer;
  /** One engine per business, for `refresh` (an engine holds no state between reads but its writer). */
  private readonly engines = new Map<number, SyncEngine>();

  private constructor(
    readonly store: SyncStore,
    intervalMs: number,
    batch: number | undefined,
    private readonly api: ChatsApi | undefined,
  ) {
    this.indexer = new Indexer(
      store,
      (changes) => {
        for (const change of changes) for (const l of [...this.listeners]) l(change);
      },
      intervalMs,
      batch,
    );
  }

  /** Migrates the inbox's tables in the store's database and starts following its event log. */
  static async open(
    store: SyncStore,
    options: { pollMs?: number; follow?: boolean; batch?: number; api?: ChatsApi } = {},
  ): Promise<StoreSource> {
    await migrateInbox(store.database());
    const source = new StoreSource(store, options.pollMs ?? 500, options.batch, options.api);
    if (options.follow !== false) source.indexer.start();
    return source;
  }

  queue(query: QueueQuery): Promise<ChatView[]> {
    return this.store.reads.queue(query);
  }

  statusCounts(businessIds: number[]): Promise<Pick<QueueCountsView, 'total' | 'statuses' | 'waiting'>> {
    return this.store.reads.statusCounts(businessIds);
  }

  kindCounts(businessIds: number[]): Promise<Pick<QueueCountsView, 'types' | 'contexts'>> {
    return this.store.reads.kindCounts(businessIds);
  }

  chat(businessId: number, chatId: number): Promise<ChatView | undefined> {
    return this.store.reads.chat(businessId, chatId);
  }

  history(
    businessId: number,
    chatId: number,
    options: { beforeMessageId?: number; limit: number },
  ): Promise<MessageView[]> {
    return this.store.reads.history(businessId, chatId, options);
  }

  async search(businessIds: number[], query: string, limit: number): Promise<SearchHit[]> {
    return (await this.searchChats(businessIds, query, { limit })).hits;
  }

  async searchChats(
    businessIds: number[],
    query: string,
    page: { limit: number; offset?: number },
  ): Promise<SearchResult> {
    const words = searchWords(query);
    const found = await this.store.reads.search(businessIds, words, page);
    const chats = await this.store.reads.chats(found.rows);
    const hits: SearchHit[] = [];
    for (const r of found.rows) {
      const chat = chats.get(`${r.businessId}:${r.chatId}`);
      if (!chat) continue;
      const text = r.text ?? '';
      const cut = snippet(text, highlightRanges(text, words));
      const hit: SearchHit = { chat, text: cut.text, ranges: cut.ranges, count: r.count };
      if (r.matchedBy) hit.matchedBy = r.matchedBy;
      if (r.messageId !== undefined) hit.messageId = r.messageId;
      hits.push(hit);
    }
    return { hits, total: found.total, ...(found.capped ? { capped: true as const } : {}) };
  }

  file(businessId: number, chatId: number, url: string): Promise<FileView | undefined> {
    return this.store.reads.file(businessId, chatId, url);
  }

  subscribe(listener: (change: SourceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The chat's status and new messages read from the platform into the store through the sync engine's
   * own writes (the store's log, so indexers and other processes hear of them as of any push).
   */
  async refresh(chat: ChatKey): Promise<void> {
    if (!this.api) return;
    let engine = this.engines.get(chat.businessId);
    if (!engine) {
      engine = new SyncEngine({ api: this.api, store: this.store, businessId: chat.businessId });
      this.engines.set(chat.businessId, engine);
    }
    await refreshChat(this.api, engine, BigInt(chat.chatId));
    this.indexer.wake();
  }

  wake(): void {
    this.indexer.wake();
  }

  /** Stops following the log; the store stays open (it belongs to the caller). */
  async close(): Promise<void> {
    await this.indexer.stop();
  }
}

/**
 * Serialized answers of the chat list, kept until a write makes them stale. Pollers repeat the same list
 * request; the store is the only writer and calls `invalidate` on every chat write, so invalidation is exact.
 * Two levels: whole pages per business (a repeated request is one map lookup), and each chat's JSON by id
 * (a new page is then an id query plus string joins, and a write re-serializes only the chats it touched).
 */
import type { ChatRow } from './types.js';

const MAX_PAGES_PER_BUSINESS = 1000;

export class ListCache {
  private readonly pages = new Map<number, Map<string, Buffer>>();
  private readonly chatText = new Map<number, string>();

  constructor(private readonly pagesEnabled = true) {}

  /** A serialized page, built on a miss. */
  page(businessId: number, key: string, build: () => string): Buffer {
    if (!this.pagesEnabled) return Buffer.from(build(), 'utf8');
    let entries = this.pages.get(businessId);
    if (!entries) {
      entries = new Map();
      this.pages.set(businessId, entries);
    }
    let page = entries.get(key);
    if (page === undefined) {
      if (entries.size >= MAX_PAGES_PER_BUSINESS) entries.clear();
      // Kept as bytes: the socket write then skips re-encoding the (mostly Cyrillic) text every time.
      page = Buffer.from(build(), 'utf8');
      entries.set(key, page);
    }
    return page;
  }

  /** Each chat's JSON, serialized once; `load` reads the rows of the chats not cached yet. */
  chatTexts(
    ids: number[],
    load: (missing: number[]) => ChatRow[],
    serialize: (row: ChatRow) => string,
  ): string[] {
    const missing = ids.filter((id) => !this.chatText.has(id));
    if (missing.length > 0) for (const row of load(missing)) this.chatText.set(row.chat_id, serialize(row));
    return ids.map((id) => this.chatText.get(id)!);
  }

  /** Drops what a write makes stale: the business's pages and, when given, one chat's JSON. */
  invalidate(businessId: number, chatId?: number): void {
    this.pages.delete(businessId);
    if (chatId !== undefined) this.chatText.delete(chatId);
  }

  clear(): void {
    this.pages.clear();
    this.chatText.clear();
  }
}

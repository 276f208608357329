/**
 * The store's reads for applications that show chats (the web inbox, through it MCP): the queue in
 * urgency order, a chat, a page of its history, an attachment, a word search, and the change feed that
 * tells when to read again. `store.reads` is one; the statements are in queue.ts and search.ts.
 */
import type { Row, Sql, SqlValue } from '../db/sql.js';
import { CHANGE_CHANNEL_SQL } from '../schema/read-model-migrations.js';
import { type BusinessBacklog, backlog } from './backlog.js';
import { customerChats, orderContext } from './order-reads.js';
import type { ChatOrderContext } from './order-types.js';
import { chatFromRow, chatSql, chatsSql, mergeQueueRows, num, queueSql } from './queue.js';
import {
  type KindCounts,
  kindCountsFromRows,
  queueCountsSql,
  type StatusCounts,
  statusCountsFromRows,
} from './queue-counts.js';
import { MATCHED_BY, searchCountSql, searchSql } from './search.js';
import type {
  ChatChange,
  ChatKey,
  ChatSummary,
  FileSummary,
  MessageSummary,
  QueueQuery,
  SearchPage,
  SearchRow,
} from './types.js';

export class StoreReads {
  constructor(private readonly sql: Sql) {}

  /**
   * Chats in urgency order: waiting for the seller first (longest wait first), then the rest, newest first.
   * Each half reads a page from each of its index ranges (queue.ts) and merges them.
   */
  async queue(query: QueueQuery): Promise<ChatSummary[]> {
    if (query.businessIds.length === 0 || query.filter.onlyChats?.length === 0) return [];
    const chats: ChatSummary[] = [];
    for (const waiting of [true, false]) {
      const remaining = query.limit - chats.length;
      if (remaining <= 0) break;
      const pages: Row[][] = [];
      for (const part of queueSql({ ...query, limit: remaining }).filter((p) => p.waiting === waiting)) {
        pages.push(await this.sql.all(part.sql, part.params));
      }
      if (pages.length > 0) chats.push(...mergeQueueRows(pages, waiting, remaining).map(chatFromRow));
    }
    return chats;
  }

  /** How many chats each status has in these businesses (an index walk; the filter bar's counts). */
  async statusCounts(businessIds: number[]): Promise<StatusCounts> {
    if (businessIds.length === 0) return statusCountsFromRows([]);
    const { statuses } = queueCountsSql(businessIds);
    return statusCountsFromRows(await this.sql.all(statuses.sql, statuses.params));
  }

  /** How many chats each type and context has in these businesses (a scan of their chats: read rarely). */
  async kindCounts(businessIds: number[]): Promise<KindCounts> {
    if (businessIds.length === 0) return kindCountsFromRows([]);
    const { kinds } = queueCountsSql(businessIds);
    return kindCountsFromRows(await this.sql.all(kinds.sql, kinds.params));
  }

  async chat(businessId: number, chatId: number): Promise<ChatSummary | undefined> {
    const { sql, params } = chatSql(businessId, chatId);
    const rows = await this.sql.all(sql, params);
    return rows[0] ? chatFromRow(rows[0]) : undefined;
  }

  /** Several chats in one statement, keyed "business:chat"; unknown ones are missing. */
  async chats(keys: ChatKey[]): Promise<Map<string, ChatSummary>> {
    const unique = [...new Map(keys.map((k) => [`${k.businessId}:${k.chatId}`, k])).values()];
    const found = new Map<string, ChatSummary>();
    if (unique.length === 0) return found;
    const { sql, params } = chatsSql(unique);
    for (const chat of (await this.sql.all(sql, params)).map(chatFromRow)) {
      found.set(`${chat.businessId}:${chat.chatId}`, chat);
    }
    return found;
  }

  /**
   * The order and return an ORDER/RETURN chat is about, as the sync engine last read them, and whether the
   * business's key lacks the scope to read them (order-types.ts).
   */
  orderContext(businessId: number, chatId: number): Promise<ChatOrderContext> {
    return orderContext(this.sql, businessId, chatId);
  }

  /** The same buyer's other chats of the business, most recently updated first. */
  customerChats(businessId: number, chatId: number, limit = 10): Promise<ChatSummary[]> {
    return customerChats(this.sql, businessId, chatId, limit);
  }

  /** Messages oldest first; `beforeMessageId` pages backwards from the newest. */
  async history(
    businessId: number,
    chatId: number,
    options: { beforeMessageId?: number; limit: number },
  ): Promise<MessageSummary[]> {
    const before = options.beforeMessageId === undefined ? '' : 'AND message_id < ?';
    const params: SqlValue[] = [businessId, chatId];
    if (options.beforeMessageId !== undefined) params.push(options.beforeMessageId);
    params.push(options.limit);
    const rows = (
      await this.sql.all(
        `SELECT message_id, chat_id, sender, text, created_at FROM messages
          WHERE business_id = ? AND chat_id = ? ${before} ORDER BY message_id DESC LIMIT ?`,
        params,
      )
    ).reverse();
    if (rows.length === 0) return [];
    const files = await this.sql.all(
      `SELECT f.message_id, f.name, f.url, f.size FROM message_files f
         JOIN messages m ON m.business_id = f.business_id AND m.message_id = f.message_id
        WHERE m.business_id = ? AND m.chat_id = ? AND m.message_id >= ? AND m.message_id <= ?
        ORDER BY f.message_id, f.position`,
      [businessId, chatId, rows[0]!.message_id!, rows[rows.length - 1]!.message_id!],
    );
    const byMessage = new Map<string, FileSummary[]>();
    for (const f of files) {
      const list = byMessage.get(String(f.message_id)) ?? [];
      list.push({ name: String(f.name), url: String(f.url), size: num(f.size) });
      byMessage.set(String(f.message_id), list);
    }
    return rows.map((r) => {
      const message: MessageSummary = {
        messageId: num(r.message_id),
        chatId: num(r.chat_id),
        sender: String(r.sender),
        createdAt: String(r.created_at),
        files: byMessage.get(String(r.message_id)) ?? [],
      };
      if (r.text !== null && r.text !== undefined) message.text = String(r.text);
      return message;
    });
  }

  /** The attachment a message of this chat carries at this url, if any. */
  async file(businessId: number, chatId: number, url: string): Promise<FileSummary | undefined> {
    const rows = await this.sql.all(
      `SELECT f.name, f.url, f.size FROM messages m
         JOIN message_files f ON f.business_id = m.business_id AND f.message_id = m.message_id
        WHERE m.business_id = ? AND m.chat_id = ? AND f.url = ? LIMIT 1`,
      [businessId, chatId, url],
    );
    const r = rows[0];
    return r ? { name: String(r.name), url: String(r.url), size: num(r.size) } : undefined;
  }

  /**
   * The chats matching `words` (`searchWords`' words) in these businesses, one row each (search.ts says
   * how they match and in which order), a page at `offset`, and how many there are. Messages the indexer
   * has not reached yet are not found.
   */
  async search(
    businessIds: number[],
    words: string[],
    page: { limit: number; offset?: number },
  ): Promise<SearchPage> {
    if (words.length === 0 || businessIds.length === 0) return { rows: [], total: 0 };
    const offset = page.offset ?? 0;
    const { sql, params } = searchSql(this.sql.dialect, businessIds, words, page.limit, offset);
    const found = await this.sql.all(sql, params);
    const rows = found.map((r) => {
      const row: SearchRow = { businessId: num(r.business_id), chatId: num(r.chat_id), count: num(r.n) };
      if (r.why !== null && r.why !== undefined)
        row.matchedBy = MATCHED_BY[num(r.why) as keyof typeof MATCHED_BY];
      if (r.best !== null && r.best !== undefined) {
        row.messageId = num(r.best);
        row.text = String(r.text ?? '');
      }
      return row;
    });
    // Past a cap (search.ts) the total is a lower bound: `capped` says so.
    const capped = (r: Row | undefined) =>
      r !== undefined && num(r.capped) === 1 ? { capped: true as const } : {};
    if (found.length > 0 || offset === 0)
      return { rows, total: found.length > 0 ? num(found[0]!.total) : 0, ...capped(found[0]) };
    const count = searchCountSql(this.sql.dialect, businessIds, words);
    const counted = (await this.sql.all(count.sql, count.params))[0]!;
    return { rows, total: num(counted.total), ...capped(counted) };
  }

  /** Waiting chats and queued pushes per business, with the oldest of each (backlog.ts: the metrics). */
  backlog(businessIds: readonly bigint[]): Promise<BusinessBacklog[]> {
    return backlog(this.sql, businessIds);
  }

  // The change feed

  /** Where the feed stands now: the event log's newest position and the newest chat change's id. */
  async changeMarks(): Promise<{ log: bigint; chat: bigint }> {
    const rows = await this.sql.all(
      'SELECT (SELECT COALESCE(MAX(position), 0) FROM events) AS log, (SELECT COALESCE(MAX(id), 0) FROM chat_changes) AS chat',
    );
    return { log: BigInt(rows[0]!.log!), chat: BigInt(rows[0]!.chat!) };
  }

  /** The event log's newest position (0 when empty). */
  async logPosition(): Promise<bigint> {
    return BigInt((await this.sql.all('SELECT COALESCE(MAX(position), 0) AS p FROM events'))[0]!.p!);
  }

  /** Status or type changes after `id`, oldest first (SQLite's trigger writes them; empty on PostgreSQL). */
  async chatChangesAfter(id: bigint, limit = 500): Promise<ChatChange[]> {
    const rows = await this.sql.all(
      'SELECT id, business_id, chat_id FROM chat_changes WHERE id > ? ORDER BY id LIMIT ?',
      [id, limit],
    );
    return rows.map((r) => ({ id: BigInt(r.id!), businessId: num(r.business_id), chatId: num(r.chat_id) }));
  }

  /** Drops chat changes recorded before `before` (ISO 8601): readers poll every few hundred ms. */
  async pruneChatChanges(before: string): Promise<void> {
    await this.sql.run('DELETE FROM chat_changes WHERE at < ?', [before]);
  }

  /** PostgreSQL: the channel the change notices go out on for this schema. */
  async changeChannel(): Promise<string> {
    return String((await this.sql.all(CHANGE_CHANNEL_SQL))[0]!.channel);
  }
}

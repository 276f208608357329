/**
 * The inbox's reads over the sync store's tables (chats, messages, message_files) and its own derived
 * ones (inbox_chat_state, inbox_search). Every read is one or two indexed statements; `queueSql` and
 * `searchSql` are exported so the bench can time the bare statements beside the HTTP endpoints.
 */
import type { ChatsApi } from '@ym-chats/sdk';
import { type Row, refreshChat, type Sql, type SqlValue, SyncEngine, type SyncStore } from '@ym-chats/sync';
import type {
  ChatKey,
  ChatView,
  FileView,
  InboxSource,
  MessageView,
  QueueFilter,
  QueueQuery,
  SearchHit,
  SourceChange,
} from '../types.js';
import { Indexer } from './indexer.js';
import { migrateInbox } from './migrations.js';
import { ftsQuery, highlightRanges, searchWords, snippet, tsQuery } from './words.js';

const WAITING = 'WAITING_FOR_PARTNER';
/** How many of the newest search rows the PostgreSQL search looks through before the word index. */
const RECENT = 5000;
const num = (v: SqlValue | undefined): number => Number(v);
const optNum = (v: SqlValue | undefined): number | undefined =>
  v === null || v === undefined ? undefined : Number(v);
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

const CHAT_SELECT = `SELECT c.business_id, c.chat_id, c.type, c.status, c.context_type, c.context_id, c.order_id,
    c.return_id, c.customer_name, c.created_at, c.updated_at,
    s.last_sender, s.last_text, s.last_at, COALESCE(s.waiting_since, c.updated_at) AS wait_at
  FROM chats c LEFT JOIN inbox_chat_state s ON s.business_id = c.business_id AND s.chat_id = c.chat_id`;

function chatFromRow(r: Row): ChatView {
  const chat: ChatView = {
    businessId: num(r.business_id),
    chatId: num(r.chat_id),
    status: String(r.status),
    type: String(r.type),
    context: { type: r.context_type === null ? 'UNKNOWN' : String(r.context_type) },
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
  const id = optNum(r.context_id);
  const orderId = optNum(r.order_id);
  const returnId = optNum(r.return_id);
  if (id !== undefined) chat.context.id = id;
  if (orderId !== undefined) chat.context.orderId = orderId;
  if (returnId !== undefined) chat.context.returnId = returnId;
  if (r.customer_name !== null && r.customer_name !== undefined)
    chat.context.customerName = String(r.customer_name);
  if (chat.status === WAITING) chat.waitingSince = String(r.wait_at);
  if (r.last_sender !== null && r.last_sender !== undefined) {
    chat.lastMessage = {
      sender: String(r.last_sender),
      text: String(r.last_text ?? ''),
      createdAt: String(r.last_at),
    };
  }
  return chat;
}

function pairs(keys: ChatKey[]): { sql: string; params: SqlValue[] } {
  return {
    sql: `(VALUES ${keys.map(() => '(CAST(? AS BIGINT), CAST(? AS BIGINT))').join(', ')})`,
    params: keys.flatMap((k) => [k.businessId, k.chatId]),
  };
}

/** The WHERE conditions every queue part shares. */
function filterSql(businessIds: number[], filter: QueueFilter): { where: string[]; params: SqlValue[] } {
  const where = [`c.business_id IN (${marks(businessIds.length)})`];
  const params: SqlValue[] = [...businessIds];
  const inList = (column: string, values: string[] | undefined) => {
    if (!values) return;
    where.push(`${column} IN (${marks(values.length)})`);
    params.push(...values);
  };
  inList('c.status', filter.statuses);
  inList('c.type', filter.types);
  inList('c.context_type', filter.contexts);
  if (filter.onlyChats) {
    const p = pairs(filter.onlyChats);
    where.push(`(c.business_id, c.chat_id) IN ${p.sql}`);
    params.push(...p.params);
  }
  if (filter.exceptChats && filter.exceptChats.length > 0) {
    const p = pairs(filter.exceptChats);
    where.push(`(c.business_id, c.chat_id) NOT IN ${p.sql}`);
    params.push(...p.params);
  }
  return { where, params };
}

/**
 * The queue as at most two statements: chats waiting for the seller, longest wait first; then the rest,
 * most recently active first. A cursor inside the first part continues it; one in the second skips it.
 */
export function queueSql(query: QueueQuery): Array<{ sql: string; params: SqlValue[]; waiting: boolean }> {
  const { businessIds, filter, limit, after } = query;
  const parts: Array<{ sql: string; params: SqlValue[]; waiting: boolean }> = [];
  const wantsWaiting = !filter.statuses || filter.statuses.includes(WAITING);
  if (wantsWaiting && (!after || after.waiting)) {
    const { where, params } = filterSql(businessIds, filter);
    where.push(`c.status = '${WAITING}'`);
    if (after) {
      where.push(
        '(COALESCE(s.waiting_since, c.updated_at) > ? OR (COALESCE(s.waiting_since, c.updated_at) = ? AND c.chat_id > ?))',
      );
      params.push(after.at, after.at, after.chatId);
    }
    params.push(limit);
    parts.push({
      sql: `${CHAT_SELECT} WHERE ${where.join(' AND ')} ORDER BY wait_at, c.chat_id LIMIT ?`,
      params,
      waiting: true,
    });
  }
  const { where, params } = filterSql(businessIds, filter);
  where.push(`c.status <> '${WAITING}'`);
  if (after && !after.waiting) {
    where.push('(c.updated_at < ? OR (c.updated_at = ? AND c.chat_id < ?))');
    params.push(after.at, after.at, after.chatId);
  }
  params.push(limit);
  parts.push({
    sql: `${CHAT_SELECT} WHERE ${where.join(' AND ')} ORDER BY c.updated_at DESC, c.chat_id DESC LIMIT ?`,
    params,
    waiting: false,
  });
  return parts;
}

/** The newest messages matching every word (as prefixes) in these businesses. */
export function searchSql(
  dialect: Sql['dialect'],
  businessIds: number[],
  words: string[],
  limit: number,
): { sql: string; params: SqlValue[] } {
  if (dialect === 'sqlite') {
    return {
      sql: `SELECT r.business_id, r.chat_id, r.message_id, m.text FROM inbox_search s
              JOIN inbox_search_rows r ON r.row_id = s.rowid
              JOIN messages m ON m.business_id = r.business_id AND m.message_id = r.message_id
             WHERE inbox_search MATCH ? AND r.business_id IN (${marks(businessIds.length)})
             ORDER BY s.rowid DESC LIMIT ?`,
      params: [ftsQuery(words), ...businessIds, limit],
    };
  }
  const query = tsQuery(words);
  if (businessIds.length === 1) {
    // A common phrase matches a good part of the table: the newest hits are among the newest rows, so those
    // are read first, backwards along the primary key (RECENT rows at most). Only when they hold fewer than
    // `limit` hits does the second branch run — every match through the word index (MATERIALIZED keeps the
    // planner from walking the whole table backwards when it misjudges a rare prefix query as common).
    // Each branch's condition is a one-time filter: PostgreSQL never starts the branch it rules out.
    return {
      sql: `WITH recent AS MATERIALIZED (
              SELECT r.business_id, r.chat_id, r.message_id FROM
                (SELECT business_id, chat_id, message_id, words FROM inbox_search
                  WHERE business_id = ? ORDER BY message_id DESC LIMIT ${RECENT}) r
               WHERE r.words @@ to_tsquery('simple', ?)
               ORDER BY r.message_id DESC LIMIT ?),
            matched AS MATERIALIZED (
              SELECT s.business_id, s.chat_id, s.message_id FROM inbox_search s
               WHERE s.words @@ to_tsquery('simple', ?) AND s.business_id = ?),
            hits AS (
              SELECT * FROM recent WHERE (SELECT COUNT(*) FROM recent) >= ?
              UNION ALL
              (SELECT * FROM matched WHERE (SELECT COUNT(*) FROM recent) < ? ORDER BY message_id DESC LIMIT ?))
          SELECT h.business_id, h.chat_id, h.message_id, m.text FROM hits h
            JOIN messages m ON m.business_id = h.business_id AND m.message_id = h.message_id
           ORDER BY h.message_id DESC`,
      params: [businessIds[0]!, query, limit, query, businessIds[0]!, limit, limit, limit],
    };
  }
  // Several businesses: every match through the word index first (see above), then the newest, then texts.
  return {
    sql: `WITH matched AS MATERIALIZED (
            SELECT s.business_id, s.chat_id, s.message_id FROM inbox_search s
             WHERE s.words @@ to_tsquery('simple', ?) AND s.business_id IN (${marks(businessIds.length)}))
          SELECT h.business_id, h.chat_id, h.message_id, m.text FROM
            (SELECT * FROM matched ORDER BY message_id DESC LIMIT ?) h
            JOIN messages m ON m.business_id = h.business_id AND m.message_id = h.message_id
           ORDER BY h.message_id DESC`,
    params: [query, ...businessIds, limit],
  };
}

/** Several chats by key in one statement (the search's second step). */
export function chatsSql(keys: ChatKey[]): { sql: string; params: SqlValue[] } {
  const p = pairs(keys);
  return { sql: `${CHAT_SELECT} WHERE (c.business_id, c.chat_id) IN ${p.sql}`, params: p.params };
}

export class StoreSource implements InboxSource {
  private readonly listeners = new Set<(change: SourceChange) => void>();
  readonly indexer: Indexer;
  private readonly sql: Sql;
  /** One engine per business, for `refresh` (an engine holds no state between reads but its writer). */
  private readonly engines = new Map<number, SyncEngine>();

  private constructor(
    readonly store: SyncStore,
    intervalMs: number,
    batch: number | undefined,
    private readonly api: ChatsApi | undefined,
  ) {
    this.sql = store.sql;
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
    await migrateInbox(store.sql);
    const source = new StoreSource(store, options.pollMs ?? 500, options.batch, options.api);
    if (options.follow !== false) source.indexer.start();
    return source;
  }

  async queue(query: QueueQuery): Promise<ChatView[]> {
    if (query.businessIds.length === 0 || query.filter.onlyChats?.length === 0) return [];
    const chats: ChatView[] = [];
    for (const part of queueSql(query)) {
      const remaining = query.limit - chats.length;
      if (remaining <= 0) break;
      part.params[part.params.length - 1] = remaining;
      chats.push(...(await this.sql.all(part.sql, part.params)).map(chatFromRow));
    }
    return chats;
  }

  async chat(businessId: number, chatId: number): Promise<ChatView | undefined> {
    const rows = await this.sql.all(`${CHAT_SELECT} WHERE c.business_id = ? AND c.chat_id = ?`, [
      businessId,
      chatId,
    ]);
    return rows[0] ? chatFromRow(rows[0]) : undefined;
  }

  async history(
    businessId: number,
    chatId: number,
    options: { beforeMessageId?: number; limit: number },
  ): Promise<MessageView[]> {
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
    const byMessage = new Map<string, FileView[]>();
    for (const f of files) {
      const list = byMessage.get(String(f.message_id)) ?? [];
      list.push({ name: String(f.name), url: String(f.url), size: num(f.size) });
      byMessage.set(String(f.message_id), list);
    }
    return rows.map((r) => {
      const message: MessageView = {
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

  async search(businessIds: number[], query: string, limit: number): Promise<SearchHit[]> {
    const words = searchWords(query);
    if (words.length === 0 || businessIds.length === 0) return [];
    const { sql, params } = searchSql(this.sql.dialect, businessIds, words, limit);
    const rows = await this.sql.all(sql, params);
    const chats = await this.chats(
      rows.map((r) => ({ businessId: num(r.business_id), chatId: num(r.chat_id) })),
    );
    const hits: SearchHit[] = [];
    for (const r of rows) {
      const chat = chats.get(`${r.business_id}:${r.chat_id}`);
      if (!chat) continue;
      const text = String(r.text ?? '');
      const cut = snippet(text, highlightRanges(text, words));
      hits.push({ chat, messageId: num(r.message_id), text: cut.text, ranges: cut.ranges });
    }
    return hits;
  }

  /** Several chats in one statement, by "business:chat". */
  private async chats(keys: ChatKey[]): Promise<Map<string, ChatView>> {
    const unique = [...new Map(keys.map((k) => [`${k.businessId}:${k.chatId}`, k])).values()];
    const found = new Map<string, ChatView>();
    if (unique.length === 0) return found;
    const { sql, params } = chatsSql(unique);
    const rows = await this.sql.all(sql, params);
    for (const row of rows.map(chatFromRow)) found.set(`${row.businessId}:${row.chatId}`, row);
    return found;
  }

  async file(businessId: number, chatId: number, url: string): Promise<FileView | undefined> {
    const rows = await this.sql.all(
      `SELECT f.name, f.url, f.size FROM messages m
         JOIN message_files f ON f.business_id = m.business_id AND f.message_id = m.message_id
        WHERE m.business_id = ? AND m.chat_id = ? AND f.url = ? LIMIT 1`,
      [businessId, chatId, url],
    );
    const r = rows[0];
    return r ? { name: String(r.name), url: String(r.url), size: num(r.size) } : undefined;
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

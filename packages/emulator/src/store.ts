/**
 * The emulator's state in SQLite. Every write is one transaction; statements are prepared once and reused,
 * because the chat list is the hot path the throughput goal is measured on.
 */
import Database from 'better-sqlite3';
import { ListCache } from './list-cache.js';
import {
  drawOrder,
  drawReturn,
  type OrderDetails,
  orderRng,
  type ReturnDetails,
  returnedOrder,
} from './order-data.js';
import type { Rng } from './prng.js';
import type {
  ChatRow,
  ChatStatus,
  ChatType,
  ContextType,
  Customer,
  FileRow,
  MessageRow,
  OrderRow,
  ReturnRow,
  Sender,
  StoredPayload,
} from './types.js';

export interface ChatFilter {
  orderIds?: number[];
  contexts?: { type: 'ORDER' | 'RETURN'; id: number }[];
  contextTypes?: ContextType[];
  types?: ChatType[];
  statuses?: ChatStatus[];
}

/** getBusinessOrders' filters, as the store applies them. */
export interface OrderFilter {
  orderIds?: number[];
  campaignIds?: number[];
  statuses?: string[];
  substatuses?: string[];
  /** Epoch ms, inclusive, on the order's creation time. */
  createdFrom?: number;
  createdBefore?: number;
}

export interface NewFile {
  name: string;
  contentType: string;
  data: Buffer;
}

export interface NewChat {
  businessId: number;
  contextType: ContextType;
  orderId: number | null;
  returnId: number | null;
  campaignId: number | null;
  customer: Customer;
  type?: ChatType;
  status?: ChatStatus;
  createdAt: number;
}

// Distinct id ranges make a client that mixes up chat, message, order and file ids fail loudly.
const FIRST_IDS: Record<string, number> = { chats: 40_000_000, messages: 900_000_000, files: 7_000_000 };
const FIRST_ORDER_ID = 50_000_000;
const FIRST_RETURN_ID = 300_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  business_id INTEGER NOT NULL, order_id INTEGER NOT NULL, campaign_id INTEGER NOT NULL,
  customer_name TEXT NOT NULL, customer_public_id TEXT NOT NULL, created_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, order_id)
);
CREATE TABLE IF NOT EXISTS returns (
  business_id INTEGER NOT NULL, return_id INTEGER NOT NULL, order_id INTEGER NOT NULL, created_at INTEGER NOT NULL,
  PRIMARY KEY (business_id, return_id)
);
CREATE TABLE IF NOT EXISTS order_details (
  business_id INTEGER NOT NULL, order_id INTEGER NOT NULL, status TEXT NOT NULL, substatus TEXT NOT NULL,
  details TEXT NOT NULL, PRIMARY KEY (business_id, order_id)
);
CREATE TABLE IF NOT EXISTS return_details (
  business_id INTEGER NOT NULL, return_id INTEGER NOT NULL, details TEXT NOT NULL,
  PRIMARY KEY (business_id, return_id)
);
CREATE TABLE IF NOT EXISTS chats (
  chat_id INTEGER PRIMARY KEY AUTOINCREMENT, business_id INTEGER NOT NULL, context_type TEXT NOT NULL,
  order_id INTEGER, return_id INTEGER, campaign_id INTEGER, customer_name TEXT, customer_public_id TEXT,
  type TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chats_business ON chats (business_id, chat_id);
CREATE UNIQUE INDEX IF NOT EXISTS chats_order_ctx ON chats (business_id, order_id) WHERE context_type = 'ORDER';
CREATE UNIQUE INDEX IF NOT EXISTS chats_return_ctx ON chats (business_id, return_id) WHERE context_type = 'RETURN';
CREATE TABLE IF NOT EXISTS messages (
  message_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL, business_id INTEGER NOT NULL,
  sender TEXT NOT NULL, text TEXT, payload TEXT, created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_chat ON messages (chat_id, message_id);
CREATE TABLE IF NOT EXISTS files (
  file_id INTEGER PRIMARY KEY AUTOINCREMENT, business_id INTEGER NOT NULL, chat_id INTEGER NOT NULL,
  name TEXT NOT NULL, size INTEGER NOT NULL, content_type TEXT NOT NULL, data BLOB NOT NULL
);
`;

type Stmt = Database.Statement;

export class Store {
  readonly db: Database.Database;
  private readonly stmts = new Map<string, Stmt>();
  /** The chat list's serialized answers; every chat write below invalidates what it makes stale. */
  readonly listCache: ListCache;
  private readonly idStmts = new Map<string, Stmt>();

  constructor(file = ':memory:', pageCache = true) {
    this.listCache = new ListCache(pageCache);
    this.db = new Database(file);
    if (file !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.initSequences();
  }

  private initSequences(): void {
    const insert = this.db.prepare(
      'INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)',
    );
    for (const [table, first] of Object.entries(FIRST_IDS)) insert.run(table, first, table);
  }

  /** Cached prepared statement by SQL text. */
  private stmt(sql: string): Stmt {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Drops what a write makes stale: the business's list pages and, when given, one chat's JSON. */
  private touched(businessId: number, chatId?: number): void {
    this.listCache.invalidate(businessId, chatId);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // Orders and returns

  /** An order and its details, drawn from `rng` (by default one made from the order's id). */
  createOrder(
    businessId: number,
    input: { orderId?: number; campaignId?: number; customer: Customer },
    now: number,
    rng?: Rng,
  ): OrderRow {
    const orderId =
      input.orderId ??
      Number(
        (
          this.stmt('SELECT MAX(order_id) AS m FROM orders WHERE business_id = ?').get(businessId) as {
            m: number | null;
          }
        ).m ?? FIRST_ORDER_ID,
      ) + 1;
    const row: OrderRow = {
      business_id: businessId,
      order_id: orderId,
      campaign_id: input.campaignId ?? defaultCampaignId(businessId),
      customer_name: input.customer.name,
      customer_public_id: input.customer.publicId,
      created_at: now,
    };
    this.stmt(
      'INSERT INTO orders VALUES (@business_id, @order_id, @campaign_id, @customer_name, @customer_public_id, @created_at)',
    ).run(row);
    this.setOrderDetails(businessId, orderId, drawOrder(rng ?? orderRng(businessId, orderId), orderId, now));
    return row;
  }

  /** The order's details; an order from a store made before details existed gets them drawn now. */
  orderDetails(businessId: number, orderId: number): OrderDetails | undefined {
    const row = this.stmt('SELECT details FROM order_details WHERE business_id = ? AND order_id = ?').get(
      businessId,
      orderId,
    ) as { details: string } | undefined;
    if (row) return JSON.parse(row.details) as OrderDetails;
    const order = this.getOrder(businessId, orderId);
    if (!order) return undefined;
    const details = drawOrder(orderRng(businessId, orderId), orderId, order.created_at);
    this.setOrderDetails(businessId, orderId, details);
    return details;
  }

  setOrderDetails(businessId: number, orderId: number, details: OrderDetails): void {
    this.stmt('INSERT OR REPLACE INTO order_details VALUES (?, ?, ?, ?, ?)').run(
      businessId,
      orderId,
      details.status,
      details.substatus,
      JSON.stringify(details),
    );
  }

  /** Orders matching the filter, by id, after `afterOrderId`: up to `limit` with their details. */
  listOrders(
    businessId: number,
    filter: OrderFilter,
    afterOrderId: number,
    limit: number,
  ): { order: OrderRow; details: OrderDetails }[] {
    const where = ['o.business_id = ?', 'o.order_id > ?'];
    const args: (number | string)[] = [businessId, afterOrderId];
    const inList = (column: string, values: readonly (string | number)[] | undefined) => {
      if (!values) return;
      where.push(`${column} IN (${values.map(() => '?').join(',')})`);
      args.push(...values);
    };
    inList('o.order_id', filter.orderIds);
    inList('o.campaign_id', filter.campaignIds);
    inList('d.status', filter.statuses);
    inList('d.substatus', filter.substatuses);
    if (filter.createdFrom !== undefined) {
      where.push('o.created_at >= ?');
      args.push(filter.createdFrom);
    }
    if (filter.createdBefore !== undefined) {
      where.push('o.created_at < ?');
      args.push(filter.createdBefore);
    }
    // Details are drawn for every order it lists first, so an old store's orders can be filtered too.
    for (const id of this.stmt(
      'SELECT order_id FROM orders o WHERE business_id = ? AND NOT EXISTS (SELECT 1 FROM order_details d WHERE d.business_id = o.business_id AND d.order_id = o.order_id)',
    )
      .pluck()
      .all(businessId) as number[])
      this.orderDetails(businessId, id);
    const rows = this.stmt(
      `SELECT o.*, d.details AS details FROM orders o JOIN order_details d USING (business_id, order_id)
       WHERE ${where.join(' AND ')} ORDER BY o.order_id LIMIT ?`,
    ).all(...args, limit) as (OrderRow & { details: string })[];
    return rows.map(({ details, ...order }) => ({ order, details: JSON.parse(details) as OrderDetails }));
  }

  /** The campaign's business, as its orders say; undefined when no order names the campaign. */
  businessOfCampaign(campaignId: number): number | undefined {
    return this.stmt('SELECT business_id FROM orders WHERE campaign_id = ? LIMIT 1')
      .pluck()
      .get(campaignId) as number | undefined;
  }

  getOrder(businessId: number, orderId: number): OrderRow | undefined {
    return this.stmt('SELECT * FROM orders WHERE business_id = ? AND order_id = ?').get(
      businessId,
      orderId,
    ) as OrderRow | undefined;
  }

  /** A return of an order and its details (drawn from `rng`, by default one made from the return's id). */
  createReturn(
    businessId: number,
    input: { returnId?: number; orderId: number },
    now: number,
    rng?: Rng,
  ): ReturnRow {
    const returnId =
      input.returnId ??
      Number(
        (
          this.stmt('SELECT MAX(return_id) AS m FROM returns WHERE business_id = ?').get(businessId) as {
            m: number | null;
          }
        ).m ?? FIRST_RETURN_ID,
      ) + 1;
    const row: ReturnRow = {
      business_id: businessId,
      return_id: returnId,
      order_id: input.orderId,
      created_at: now,
    };
    this.stmt('INSERT INTO returns VALUES (@business_id, @return_id, @order_id, @created_at)').run(row);
    const order = this.orderDetails(businessId, input.orderId);
    if (order) {
      const drawn = drawReturn(rng ?? orderRng(businessId, returnId), order, now);
      this.setReturnDetails(businessId, returnId, drawn);
      this.setOrderDetails(businessId, input.orderId, returnedOrder(order, now));
    }
    return row;
  }

  /** The return's details; one from a store made before details existed gets them drawn now. */
  returnDetails(businessId: number, returnId: number): ReturnDetails | undefined {
    const row = this.stmt('SELECT details FROM return_details WHERE business_id = ? AND return_id = ?').get(
      businessId,
      returnId,
    ) as { details: string } | undefined;
    if (row) return JSON.parse(row.details) as ReturnDetails;
    const ret = this.getReturn(businessId, returnId);
    const order = ret && this.orderDetails(businessId, ret.order_id);
    if (!ret || !order) return undefined;
    const details = drawReturn(orderRng(businessId, returnId), order, ret.created_at);
    this.setReturnDetails(businessId, returnId, details);
    return details;
  }

  setReturnDetails(businessId: number, returnId: number, details: ReturnDetails): void {
    this.stmt('INSERT OR REPLACE INTO return_details VALUES (?, ?, ?)').run(
      businessId,
      returnId,
      JSON.stringify(details),
    );
  }

  getReturn(businessId: number, returnId: number): ReturnRow | undefined {
    return this.stmt('SELECT * FROM returns WHERE business_id = ? AND return_id = ?').get(
      businessId,
      returnId,
    ) as ReturnRow | undefined;
  }

  // Chats

  findChatByContext(businessId: number, type: 'ORDER' | 'RETURN', id: number): ChatRow | undefined {
    const column = type === 'ORDER' ? 'order_id' : 'return_id';
    return this.stmt(
      `SELECT * FROM chats WHERE business_id = ? AND context_type = ? AND ${column} = ? LIMIT 1`,
    ).get(businessId, type, id) as ChatRow | undefined;
  }

  insertChat(chat: NewChat): ChatRow {
    const info = this.stmt(
      `INSERT INTO chats (business_id, context_type, order_id, return_id, campaign_id, customer_name,
        customer_public_id, type, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      chat.businessId,
      chat.contextType,
      chat.orderId,
      chat.returnId,
      chat.campaignId,
      chat.customer.name,
      chat.customer.publicId,
      chat.type ?? 'CHAT',
      chat.status ?? 'NEW',
      chat.createdAt,
      chat.createdAt,
    );
    this.touched(chat.businessId);
    return this.getChat(chat.businessId, Number(info.lastInsertRowid))!;
  }

  /** The chat about an order, created if there is none yet (createChat is idempotent per context). */
  openOrderChat(order: OrderRow, now: number): { chat: ChatRow; created: boolean } {
    const existing = this.findChatByContext(order.business_id, 'ORDER', order.order_id);
    if (existing) return { chat: existing, created: false };
    const chat = this.insertChat({
      businessId: order.business_id,
      contextType: 'ORDER',
      orderId: order.order_id,
      returnId: null,
      campaignId: order.campaign_id,
      customer: { name: order.customer_name, publicId: order.customer_public_id },
      createdAt: now,
    });
    return { chat, created: true };
  }

  /** The chat about a return, created if there is none yet; buyer and shop come from the return's order. */
  openReturnChat(ret: ReturnRow, now: number): { chat: ChatRow; created: boolean } {
    const existing = this.findChatByContext(ret.business_id, 'RETURN', ret.return_id);
    if (existing) return { chat: existing, created: false };
    const order = this.getOrder(ret.business_id, ret.order_id);
    const chat = this.insertChat({
      businessId: ret.business_id,
      contextType: 'RETURN',
      orderId: ret.order_id,
      returnId: ret.return_id,
      campaignId: order?.campaign_id ?? null,
      customer: {
        name: order?.customer_name ?? 'Покупатель',
        publicId: order?.customer_public_id ?? 'unknown',
      },
      createdAt: now,
    });
    return { chat, created: true };
  }

  getChat(businessId: number, chatId: number): ChatRow | undefined {
    return this.stmt('SELECT * FROM chats WHERE chat_id = ? AND business_id = ?').get(chatId, businessId) as
      | ChatRow
      | undefined;
  }

  /**
   * Newest first, keyset on the immutable chat id: up to `limit` chat ids after `beforeChatId`. Ids only,
   * because reading one column is several times cheaper than whole rows.
   */
  listChatIds(
    businessId: number,
    filter: ChatFilter,
    beforeChatId: number | undefined,
    limit: number,
  ): number[] {
    const { where, args } = chatQuery(businessId, filter, beforeChatId, limit);
    const sql = `SELECT chat_id FROM chats WHERE ${where} ORDER BY chat_id DESC LIMIT ?`;
    let stmt = this.idStmts.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql).pluck();
      this.idStmts.set(sql, stmt);
    }
    return stmt.all(...args) as number[];
  }

  /** The rows of these chats of a business, in no particular order. */
  chatsByIds(businessId: number, ids: number[]): ChatRow[] {
    return this.stmt(
      `SELECT * FROM chats WHERE business_id = ? AND chat_id IN (${ids.map(() => '?').join(',')})`,
    ).all(businessId, ...ids) as ChatRow[];
  }

  updateChat(businessId: number, chatId: number, change: { status?: ChatStatus; type?: ChatType }): ChatRow {
    if (change.status)
      this.stmt('UPDATE chats SET status = ? WHERE chat_id = ? AND business_id = ?').run(
        change.status,
        chatId,
        businessId,
      );
    if (change.type)
      this.stmt('UPDATE chats SET type = ? WHERE chat_id = ? AND business_id = ?').run(
        change.type,
        chatId,
        businessId,
      );
    this.touched(businessId, chatId);
    return this.getChat(businessId, chatId)!;
  }

  // Messages and files

  /**
   * Adds a message (with its files) and moves the chat's status and updatedAt, in one transaction.
   * `status` undefined leaves the chat's status as it is.
   */
  addMessage(
    chat: ChatRow,
    input: { sender: Sender; text?: string; files?: NewFile[]; status?: ChatStatus },
    now: number,
  ): MessageRow {
    this.touched(chat.business_id, chat.chat_id);
    return this.transaction(() => {
      let payload: string | null = null;
      if (input.files && input.files.length > 0) {
        const insertFile = this.stmt(
          'INSERT INTO files (business_id, chat_id, name, size, content_type, data) VALUES (?, ?, ?, ?, ?, ?)',
        );
        const stored: StoredPayload[] = input.files.map((f) => {
          const info = insertFile.run(
            chat.business_id,
            chat.chat_id,
            f.name,
            f.data.length,
            f.contentType,
            f.data,
          );
          return { f: Number(info.lastInsertRowid), n: f.name, s: f.data.length };
        });
        payload = JSON.stringify(stored);
      }
      const info = this.stmt(
        'INSERT INTO messages (chat_id, business_id, sender, text, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(chat.chat_id, chat.business_id, input.sender, input.text ?? null, payload, now);
      this.stmt('UPDATE chats SET updated_at = ?, status = COALESCE(?, status) WHERE chat_id = ?').run(
        now,
        input.status ?? null,
        chat.chat_id,
      );
      return this.stmt('SELECT * FROM messages WHERE message_id = ?').get(info.lastInsertRowid) as MessageRow;
    });
  }

  /** Oldest first, keyset on message id: ids only grow, so appends never shift a page. */
  listMessages(chatId: number, fromId: number, afterId: number, limit: number): MessageRow[] {
    return this.stmt(
      'SELECT * FROM messages WHERE chat_id = ? AND message_id >= ? AND message_id > ? ORDER BY message_id LIMIT ?',
    ).all(chatId, fromId, afterId, limit) as MessageRow[];
  }

  getMessage(chatId: number, messageId: number): MessageRow | undefined {
    return this.stmt('SELECT * FROM messages WHERE message_id = ? AND chat_id = ?').get(messageId, chatId) as
      | MessageRow
      | undefined;
  }

  getFile(fileId: number): FileRow | undefined {
    return this.stmt('SELECT * FROM files WHERE file_id = ?').get(fileId) as FileRow | undefined;
  }

  // Whole-state helpers for the admin namespace

  businessHasChats(businessId: number): boolean {
    return this.stmt('SELECT 1 FROM chats WHERE business_id = ? LIMIT 1').get(businessId) !== undefined;
  }

  businessIds(): number[] {
    const rows = this.stmt(
      'SELECT business_id AS b FROM chats UNION SELECT business_id FROM orders UNION SELECT business_id FROM returns ORDER BY 1',
    ).all() as { b: number }[];
    return rows.map((r) => r.b);
  }

  counts(businessId?: number): Record<'orders' | 'returns' | 'chats' | 'messages' | 'files', number> {
    const count = (table: string) =>
      (
        (businessId === undefined
          ? this.stmt(`SELECT COUNT(*) AS n FROM ${table}`).get()
          : this.stmt(`SELECT COUNT(*) AS n FROM ${table} WHERE business_id = ?`).get(businessId)) as {
          n: number;
        }
      ).n;
    return {
      orders: count('orders'),
      returns: count('returns'),
      chats: count('chats'),
      messages: count('messages'),
      files: count('files'),
    };
  }

  /** Everything but file bytes, in id order: enough to compare two states exactly. */
  dump(): {
    orders: OrderRow[];
    returns: ReturnRow[];
    orderDetails: unknown[];
    returnDetails: unknown[];
    chats: ChatRow[];
    messages: MessageRow[];
    files: unknown[];
  } {
    return {
      orders: this.stmt('SELECT * FROM orders ORDER BY business_id, order_id').all() as OrderRow[],
      returns: this.stmt('SELECT * FROM returns ORDER BY business_id, return_id').all() as ReturnRow[],
      orderDetails: this.stmt('SELECT * FROM order_details ORDER BY business_id, order_id').all(),
      returnDetails: this.stmt('SELECT * FROM return_details ORDER BY business_id, return_id').all(),
      chats: this.stmt('SELECT * FROM chats ORDER BY chat_id').all() as ChatRow[],
      messages: this.stmt('SELECT * FROM messages ORDER BY message_id').all() as MessageRow[],
      files: this.stmt(
        'SELECT file_id, business_id, chat_id, name, size, content_type, hex(substr(data, 1, 16)) AS head FROM files ORDER BY file_id',
      ).all(),
    };
  }

  reset(): void {
    this.listCache.clear();
    this.transaction(() => {
      this.db.exec(
        'DELETE FROM orders; DELETE FROM returns; DELETE FROM order_details; DELETE FROM return_details; ' +
          'DELETE FROM chats; DELETE FROM messages; DELETE FROM files;',
      );
      this.db.exec('DELETE FROM sqlite_sequence');
      this.initSequences();
    });
  }
}

/** WHERE clause and arguments of a chat-list query (the LIMIT argument last). */
function chatQuery(
  businessId: number,
  filter: ChatFilter,
  beforeChatId: number | undefined,
  limit: number,
): { where: string; args: (number | string)[] } {
  const where = ['business_id = ?'];
  const args: (number | string)[] = [businessId];
  const inList = (column: string, values: readonly (string | number)[] | undefined) => {
    if (!values) return;
    where.push(`${column} IN (${values.map(() => '?').join(',')})`);
    args.push(...values);
  };
  inList('order_id', filter.orderIds);
  inList('context_type', filter.contextTypes);
  inList('type', filter.types);
  inList('status', filter.statuses);
  if (filter.contexts) {
    const ors = filter.contexts.map((c) => {
      args.push(c.type, c.id);
      return c.type === 'ORDER'
        ? '(context_type = ? AND order_id = ?)'
        : '(context_type = ? AND return_id = ?)';
    });
    where.push(`(${ors.join(' OR ')})`);
  }
  if (beforeChatId !== undefined) {
    where.push('chat_id < ?');
    args.push(beforeChatId);
  }
  args.push(limit);
  return { where: where.join(' AND '), args };
}

export function defaultCampaignId(businessId: number): number {
  return 20_000_000 + businessId;
}

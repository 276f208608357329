/**
 * The queue and chat reads as statements over `chats`, the read model's `chat_state` and the queue's order
 * `chat_queue` (schema/queue-migrations.ts). Every read is indexed: a chat by its key, the queue as index
 * range scans in the order shown. The builders are exported so benches can time the bare statements beside
 * the applications that run them.
 */
import type { Row, SqlValue } from '../db/sql.js';
import { WAITING_STATUS } from '../store/waiting.js';
import type { ChatKey, ChatSummary, QueueFilter, QueueQuery } from './types.js';

export interface Statement {
  sql: string;
  params: SqlValue[];
}

export const num = (v: SqlValue | undefined): number => Number(v);
const optNum = (v: SqlValue | undefined): number | undefined =>
  v === null || v === undefined ? undefined : Number(v);
export const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export const CHAT_SELECT = `SELECT c.business_id, c.chat_id, c.type, c.status, c.context_type, c.context_id, c.order_id,
    c.return_id, c.customer_name, c.created_at, c.updated_at,
    s.last_sender, s.last_text, s.last_at, COALESCE(s.waiting_since, c.updated_at) AS wait_at
  FROM chats c LEFT JOIN chat_state s ON s.business_id = c.business_id AND s.chat_id = c.chat_id`;

export function chatFromRow(r: Row): ChatSummary {
  const chat: ChatSummary = {
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
  if (chat.status === WAITING_STATUS) chat.waitingSince = String(r.wait_at);
  if (r.last_sender !== null && r.last_sender !== undefined) {
    chat.lastMessage = {
      sender: String(r.last_sender),
      text: String(r.last_text ?? ''),
      createdAt: String(r.last_at),
    };
  }
  return chat;
}

function pairs(keys: ChatKey[]): Statement {
  return {
    sql: `(VALUES ${keys.map(() => '(CAST(? AS BIGINT), CAST(? AS BIGINT))').join(', ')})`,
    params: keys.flatMap((k) => [k.businessId, k.chatId]),
  };
}

/**
 * The queue's rows, read in `chat_queue`'s order: `CROSS JOIN` makes SQLite walk `chat_queue` first (the
 * index gives the order, so there is no sort); PostgreSQL plans joins freely and, with a LIMIT, picks the
 * same. `sort_at` is what pages of several ranges are merged by.
 */
const QUEUE_SELECT = `SELECT c.business_id, c.chat_id, c.type, c.status, c.context_type, c.context_id, c.order_id,
    c.return_id, c.customer_name, c.created_at, c.updated_at,
    s.last_sender, s.last_text, s.last_at, q.sort_at AS wait_at, q.sort_at
  FROM chat_queue q CROSS JOIN chats c
  LEFT JOIN chat_state s ON s.business_id = c.business_id AND s.chat_id = c.chat_id`;

/** One range of the queue: a business, and either its waiting/other half or one status. */
interface Range {
  businessId: number;
  waiting: boolean;
  /** A status asked for; absent: the whole half (`chat_queue_order`). */
  status?: string;
}

/** The conditions on the range's rows besides the range itself, checked as the index is walked. */
function residual(range: Range, filter: QueueFilter): { where: string[]; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const inList = (column: string, values: string[] | undefined) => {
    if (!values) return;
    where.push(`${column} IN (${marks(values.length)})`);
    params.push(...values);
  };
  inList('c.type', filter.types);
  inList('c.context_type', filter.contexts);
  if (filter.onlyChats) {
    const p = pairs(filter.onlyChats.filter((k) => k.businessId === range.businessId));
    where.push(`(q.business_id, q.chat_id) IN ${p.sql}`);
    params.push(...p.params);
  }
  const except = filter.exceptChats?.filter((k) => k.businessId === range.businessId) ?? [];
  if (except.length > 0) {
    const p = pairs(except);
    where.push(`(q.business_id, q.chat_id) NOT IN ${p.sql}`);
    params.push(...p.params);
  }
  return { where, params };
}

function rangeSql(range: Range, query: QueueQuery): Statement & { waiting: boolean } {
  // The range's bounds as literals (checked integers), as the LIMIT: PostgreSQL picks the index walk for
  // them, while the same statement with parameters was planned for any business and any half.
  if (!Number.isSafeInteger(range.businessId)) {
    throw new RangeError(`queue business ids must be whole numbers (got ${range.businessId})`);
  }
  const where = [`q.business_id = ${range.businessId}`];
  const params: SqlValue[] = [];
  if (range.status === undefined) {
    where.push(`q.waiting = ${range.waiting ? 1 : 0}`);
  } else {
    where.push('q.status = ?');
    params.push(range.status);
  }
  // The cursor continues its own half only; a cursor in the second half skips the first (not called).
  if (query.after && query.after.waiting === range.waiting) {
    where.push(`(q.sort_at, q.chat_id) ${range.waiting ? '>' : '<'} (?, ?)`);
    params.push(query.after.at, query.after.chatId);
  }
  where.push('c.business_id = q.business_id AND c.chat_id = q.chat_id');
  const more = residual(range, query.filter);
  where.push(...more.where);
  params.push(...more.params);
  const dir = range.waiting ? '' : ' DESC';
  // The LIMIT as a literal too: with a parameter PostgreSQL planned for an unknown row count and, at
  // 100 000 chats, took 150 ms instead of walking 50 index entries.
  return {
    sql: `${QUEUE_SELECT} WHERE ${where.join(' AND ')} ORDER BY q.sort_at${dir}, q.chat_id${dir} LIMIT ${query.limit}`,
    params,
    waiting: range.waiting,
  };
}

/**
 * The queue as index range scans, each a statement: chats waiting for the seller, longest wait first; then
 * the rest, most recently active first. Each half is one range per business (and per status when the
 * filter names statuses), so a page of several is merged from a page of each (`mergeQueueRows`), never
 * sorted from the table. A cursor inside the first half continues it; one in the second skips it. Each
 * statement reads at most `limit` rows.
 */
export function queueSql(query: QueueQuery): Array<Statement & { waiting: boolean }> {
  const { businessIds, filter, after, limit } = query;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`queue limit must be a whole number of chats, 1 or more (got ${limit})`);
  }
  const businesses = filter.onlyChats
    ? businessIds.filter((b) => filter.onlyChats!.some((k) => k.businessId === b))
    : businessIds;
  const parts: Array<Statement & { waiting: boolean }> = [];
  for (const waiting of [true, false]) {
    if (waiting && after && !after.waiting) continue;
    const statuses = filter.statuses?.filter((s) => (s === WAITING_STATUS) === waiting);
    if (statuses?.length === 0) continue;
    for (const businessId of businesses) {
      if (!statuses) parts.push(rangeSql({ businessId, waiting }, query));
      else for (const status of statuses) parts.push(rangeSql({ businessId, waiting, status }, query));
    }
  }
  return parts;
}

/** Pages of one half's ranges, each in the half's order, as one page in that order. */
export function mergeQueueRows(pages: Row[][], waiting: boolean, limit: number): Row[] {
  if (pages.length === 1) return pages[0]!.slice(0, limit);
  const sign = waiting ? 1 : -1;
  const key = (r: Row) => String(r.sort_at);
  return pages
    .flat()
    .sort((a, b) => {
      const at = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
      return sign * (at !== 0 ? at : num(a.chat_id) - num(b.chat_id));
    })
    .slice(0, limit);
}

/** Several chats by key in one statement. */
export function chatsSql(keys: ChatKey[]): Statement {
  const p = pairs(keys);
  return { sql: `${CHAT_SELECT} WHERE (c.business_id, c.chat_id) IN ${p.sql}`, params: p.params };
}

export function chatSql(businessId: number, chatId: number): Statement {
  return { sql: `${CHAT_SELECT} WHERE c.business_id = ? AND c.chat_id = ?`, params: [businessId, chatId] };
}

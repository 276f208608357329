/**
 * The queue and chat reads as statements over `chats` and the read model's `chat_state`. Every read is
 * one indexed statement; the builders are exported so benches can time the bare statements beside the
 * applications that run them.
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
 * The last parameter of each is its LIMIT.
 */
export function queueSql(query: QueueQuery): Array<Statement & { waiting: boolean }> {
  const { businessIds, filter, limit, after } = query;
  const parts: Array<Statement & { waiting: boolean }> = [];
  const wantsWaiting = !filter.statuses || filter.statuses.includes(WAITING_STATUS);
  if (wantsWaiting && (!after || after.waiting)) {
    const { where, params } = filterSql(businessIds, filter);
    where.push(`c.status = '${WAITING_STATUS}'`);
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
  where.push(`c.status <> '${WAITING_STATUS}'`);
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

/** Several chats by key in one statement. */
export function chatsSql(keys: ChatKey[]): Statement {
  const p = pairs(keys);
  return { sql: `${CHAT_SELECT} WHERE (c.business_id, c.chat_id) IN ${p.sql}`, params: p.params };
}

export function chatSql(businessId: number, chatId: number): Statement {
  return { sql: `${CHAT_SELECT} WHERE c.business_id = ? AND c.chat_id = ?`, params: [businessId, chatId] };
}

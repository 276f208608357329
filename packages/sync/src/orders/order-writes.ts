/**
 * The SQL of the order fill (order-fill.ts): which chats are owed an order read, the rows it writes, and
 * the record of a key without the order scope. Every statement is written once for both engines.
 */
import type { BusinessOrder, Return } from '@ym-chats/sdk';
import type { Sql, SqlValue } from '../db/sql.js';
import {
  ITEM_COLUMNS,
  itemRows,
  ORDER_COLUMNS,
  orderRow,
  RETURN_COLUMNS,
  returnRow,
  upsertTail,
} from './order-rows.js';

/** IN lists stay well under both engines' parameter limits. */
const CHUNK = 500;

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < list.length; at += size) out.push(list.slice(at, at + size));
  return out;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** These chats (those of a pass's reads) are owed an order read, if they are ORDER/RETURN chats. */
export async function wantChats(sql: Sql, businessId: bigint, chatIds: readonly bigint[]): Promise<void> {
  for (const part of chunks(chatIds)) {
    await sql.run(
      `INSERT INTO order_wants (business_id, chat_id)
       SELECT business_id, chat_id FROM chats
        WHERE business_id = ? AND chat_id IN (${marks(part.length)}) AND order_id IS NOT NULL
       ON CONFLICT DO NOTHING`,
      [businessId, ...part],
    );
  }
}

/**
 * Every ORDER/RETURN chat whose order or return the store lacks is owed a read: chats stored before
 * migration 12, or whose want was lost between a pass's commit and its fill. Run once per engine.
 */
export async function wantMissing(sql: Sql, businessId: bigint): Promise<void> {
  await sql.run(
    `INSERT INTO order_wants (business_id, chat_id)
     SELECT c.business_id, c.chat_id FROM chats c
      WHERE c.business_id = ? AND c.order_id IS NOT NULL
        AND (NOT EXISTS (SELECT 1 FROM orders o WHERE o.business_id = c.business_id AND o.order_id = c.order_id)
             OR (c.return_id IS NOT NULL AND NOT EXISTS
                  (SELECT 1 FROM returns r WHERE r.business_id = c.business_id AND r.return_id = c.return_id)))
     ON CONFLICT DO NOTHING`,
    [businessId],
  );
}

/** A chat owed a read, with when its order and return were last read (null: never). */
export interface OwedChat {
  chatId: bigint;
  orderId: bigint;
  returnId: bigint | null;
  campaignId: bigint | null;
  orderReadAt: string | null;
  returnReadAt: string | null;
}

export async function owedChats(sql: Sql, businessId: bigint): Promise<OwedChat[]> {
  const rows = await sql.all(
    `SELECT w.chat_id, c.order_id, c.return_id, COALESCE(c.campaign_id, o.campaign_id) AS campaign_id,
            o.fetched_at AS order_at, r.fetched_at AS return_at
       FROM order_wants w
       JOIN chats c ON c.business_id = w.business_id AND c.chat_id = w.chat_id
       LEFT JOIN orders o ON o.business_id = c.business_id AND o.order_id = c.order_id
       LEFT JOIN returns r ON r.business_id = c.business_id AND r.return_id = c.return_id
      WHERE w.business_id = ? AND c.order_id IS NOT NULL
      ORDER BY w.chat_id`,
    [businessId],
  );
  const id = (v: SqlValue | undefined) => (v === null || v === undefined ? null : BigInt(v));
  const at = (v: SqlValue | undefined) => (v === null || v === undefined ? null : String(v));
  return rows.map((r) => ({
    chatId: BigInt(r.chat_id!),
    orderId: BigInt(r.order_id!),
    returnId: id(r.return_id),
    campaignId: id(r.campaign_id),
    orderReadAt: at(r.order_at),
    returnReadAt: at(r.return_at),
  }));
}

/** The chats' wants are met (their order and return were read, or are gone). */
export async function dropWants(sql: Sql, businessId: bigint, chatIds: readonly bigint[]): Promise<void> {
  for (const part of chunks(chatIds)) {
    await sql.run(`DELETE FROM order_wants WHERE business_id = ? AND chat_id IN (${marks(part.length)})`, [
      businessId,
      ...part,
    ]);
  }
}

/** One getBusinessOrders answer: its orders and their items, in one transaction. */
export async function writeOrders(
  sql: Sql,
  businessId: bigint,
  orders: readonly BusinessOrder[],
  fetchedAt: string,
): Promise<void> {
  if (orders.length === 0) return;
  await sql.transaction(async (tx) => {
    await tx.insertMany(
      'orders',
      ORDER_COLUMNS,
      orders.map((o) => orderRow(businessId, o, fetchedAt)),
      upsertTail(ORDER_COLUMNS, ['business_id', 'order_id']),
    );
    const ids = orders.map((o) => BigInt(o.orderId));
    await tx.run(`DELETE FROM order_items WHERE business_id = ? AND order_id IN (${marks(ids.length)})`, [
      businessId,
      ...ids,
    ]);
    const items = orders.flatMap((o) => itemRows(businessId, o));
    if (items.length > 0) await tx.insertMany('order_items', ITEM_COLUMNS, items);
  });
}

export async function writeReturn(
  sql: Sql,
  businessId: bigint,
  campaignId: bigint,
  ret: Return,
  fetchedAt: string,
): Promise<void> {
  await sql.insertMany(
    'returns',
    RETURN_COLUMNS,
    [returnRow(businessId, campaignId, ret, fetchedAt)],
    upsertTail(RETURN_COLUMNS, ['business_id', 'return_id']),
  );
}

/** The business's key got 403 from the order reads (`fingerprint` null: the key is not known). */
export interface ScopeRecord {
  fingerprint: string | null;
  scopes: string[];
  since: string;
}

export async function missingScope(sql: Sql, businessId: bigint): Promise<ScopeRecord | undefined> {
  const [row] = await sql.all(
    'SELECT key_fingerprint, scopes, since FROM order_scope_missing WHERE business_id = ?',
    [businessId],
  );
  if (!row) return undefined;
  return {
    fingerprint: row.key_fingerprint === null ? null : String(row.key_fingerprint),
    scopes: String(row.scopes).split(' ').filter(Boolean),
    since: String(row.since),
  };
}

/** Records the 403; `since` stays the first time this key met it. Scopes are space-separated names. */
export async function recordMissingScope(
  sql: Sql,
  businessId: bigint,
  fingerprint: string | null,
  scopes: readonly string[],
  now: string,
): Promise<void> {
  const known = await missingScope(sql, businessId);
  const since = known !== undefined && known.fingerprint === fingerprint ? known.since : now;
  await sql.run(
    `INSERT INTO order_scope_missing (business_id, key_fingerprint, scopes, since) VALUES (?, ?, ?, ?)
     ON CONFLICT (business_id) DO UPDATE SET key_fingerprint = excluded.key_fingerprint,
       scopes = excluded.scopes, since = excluded.since`,
    [businessId, fingerprint, scopes.join(' '), since],
  );
}

export async function clearMissingScope(sql: Sql, businessId: bigint): Promise<void> {
  await sql.run('DELETE FROM order_scope_missing WHERE business_id = ?', [businessId]);
}

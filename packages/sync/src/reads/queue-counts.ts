/**
 * How many chats each of the queue's filter values would show, for the filter bar's counts (issue 22,
 * item 10). Per status: `chat_queue`'s status index, walked without reading a table row. Per type and
 * context: `chats` itself (no index holds them), a scan of the businesses' chats — values that change
 * rarely (a new chat, a dispute opened), so applications read them far less often (the inbox: once a
 * minute per process). Each count is over the businesses asked for, whatever else is filtered.
 */
import type { Row } from '../db/sql.js';
import { isWaitingStatus } from '../store/waiting.js';
import { num, type Statement } from './queue.js';

export interface StatusCounts {
  /** Chats in the queue (every chat of the businesses). */
  total: number;
  statuses: Record<string, number>;
  /**
   * Chats waiting for the seller (the waiting status's count, the queue's waiting half): what an inbox's
   * tab title counts, whichever page of the queue it has loaded.
   */
  waiting: number;
}

export interface KindCounts {
  types: Record<string, number>;
  /** By context type (ORDER, RETURN, DIRECT, …; UNKNOWN for none). */
  contexts: Record<string, number>;
}

export type QueueCounts = StatusCounts & KindCounts;

function businessList(businessIds: number[]): string {
  for (const id of businessIds) {
    if (!Number.isSafeInteger(id))
      throw new RangeError(`queue business ids must be whole numbers (got ${id})`);
  }
  // Literals, as the queue's ranges: the planner sees the businesses and walks their index ranges.
  return businessIds.join(', ');
}

/** The statements behind the counts: per status, and per type and context. */
export function queueCountsSql(businessIds: number[]): { statuses: Statement; kinds: Statement } {
  const ids = businessList(businessIds);
  return {
    statuses: {
      sql: `SELECT status, COUNT(*) AS n FROM chat_queue WHERE business_id IN (${ids}) GROUP BY status`,
      params: [],
    },
    kinds: {
      sql: `SELECT type, context_type, COUNT(*) AS n FROM chats WHERE business_id IN (${ids})
        GROUP BY type, context_type`,
      params: [],
    },
  };
}

const add = (into: Record<string, number>, key: string, n: number) => {
  into[key] = (into[key] ?? 0) + n;
};

export function statusCountsFromRows(rows: Row[]): StatusCounts {
  const counts: StatusCounts = { total: 0, statuses: {}, waiting: 0 };
  for (const r of rows) {
    add(counts.statuses, String(r.status), num(r.n));
    counts.total += num(r.n);
    if (isWaitingStatus(String(r.status))) counts.waiting += num(r.n);
  }
  return counts;
}

export function kindCountsFromRows(rows: Row[]): KindCounts {
  const counts: KindCounts = { types: {}, contexts: {} };
  for (const r of rows) {
    add(counts.types, String(r.type), num(r.n));
    add(counts.contexts, r.context_type === null ? 'UNKNOWN' : String(r.context_type), num(r.n));
  }
  return counts;
}

/**
 * How many chats each of the queue's filter values would show, for the filter bar's counts (issue 22,
 * item 10): per status from `chat_queue`'s status index (a covering index walk, no table rows), per type
 * and context from `chats`. Each count is over the businesses asked for, whatever else is filtered.
 */
import type { Row } from '../db/sql.js';
import { num, type Statement } from './queue.js';

export interface QueueCounts {
  /** Chats in the queue (every chat of the businesses). */
  total: number;
  statuses: Record<string, number>;
  types: Record<string, number>;
  /** By context type (ORDER, RETURN, DIRECT, …; UNKNOWN for none). */
  contexts: Record<string, number>;
}

function businessList(businessIds: number[]): string {
  for (const id of businessIds) {
    if (!Number.isSafeInteger(id))
      throw new RangeError(`queue business ids must be whole numbers (got ${id})`);
  }
  // Literals, as the queue's ranges: the planner sees the one business and walks its index range.
  return businessIds.join(', ');
}

/** The statements behind `queueCounts`: statuses, then types by context. */
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

export function countsFromRows(statuses: Row[], kinds: Row[]): QueueCounts {
  const counts: QueueCounts = { total: 0, statuses: {}, types: {}, contexts: {} };
  const add = (into: Record<string, number>, key: string, n: number) => {
    into[key] = (into[key] ?? 0) + n;
  };
  for (const r of statuses) {
    add(counts.statuses, String(r.status), num(r.n));
    counts.total += num(r.n);
  }
  for (const r of kinds) {
    add(counts.types, String(r.type), num(r.n));
    add(counts.contexts, r.context_type === null ? 'UNKNOWN' : String(r.context_type), num(r.n));
  }
  return counts;
}

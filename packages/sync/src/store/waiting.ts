/**
 * The waiting rule, in one place for every reader of the store: a buyer waits from their first message after
 * the seller's last one; the platform's own messages (MARKET, SUPPORT, and senders added later) neither
 * start nor stop the clock; a chat counts as waiting while its status is WAITING_FOR_PARTNER. Messages are
 * taken in the chat's order (message id).
 *
 * Two renderings of the same rule, held together by a test over both engines (waiting.test.ts): a SQL
 * expression for the store's queries and the inbox's indexer, and a pure function over a message list for
 * readers that hold the messages themselves (a chat read through the API). The pure part imports nothing, so
 * it can move below the packages that cannot import this one (MCP reaches only the SDK).
 */

/** The status of a chat the seller owes an answer. */
export const WAITING_STATUS = 'WAITING_FOR_PARTNER';
/** Whose message starts the wait. */
export const WAIT_OPENER = 'CUSTOMER';
/** Whose message ends it. */
export const WAIT_CLOSER = 'PARTNER';

export function isWaitingStatus(status: string): boolean {
  return status === WAITING_STATUS;
}

export interface Unanswered {
  /** When the buyer's first unanswered message came. */
  since: string;
  /** How many buyer messages are unanswered. */
  count: number;
}

/** The buyer's unanswered messages in a chat read oldest first (null: none). */
export function unansweredOf(messages: Iterable<{ sender: string; createdAt: string }>): Unanswered | null {
  let value: Unanswered | null = null;
  for (const m of messages) {
    if (m.sender === WAIT_CLOSER) value = null;
    else if (m.sender === WAIT_OPENER)
      value = value ? { since: value.since, count: value.count + 1 } : { since: m.createdAt, count: 1 };
  }
  return value;
}

/**
 * A SQL expression for the time the chat `(business, chat)` has waited since (null: no unanswered buyer
 * message), over the store's `messages` (index messages_by_chat). `business` and `chat` are column
 * references of the outer query, e.g. `c.business_id`, `c.chat_id`.
 */
export function waitingSinceSql(business: string, chat: string): string {
  return `(SELECT MIN(w.created_at) FROM messages w
     WHERE w.business_id = ${business} AND w.chat_id = ${chat} AND w.sender = '${WAIT_OPENER}'
       AND w.message_id > COALESCE((SELECT MAX(p.message_id) FROM messages p
         WHERE p.business_id = ${business} AND p.chat_id = ${chat} AND p.sender = '${WAIT_CLOSER}'), 0))`;
}

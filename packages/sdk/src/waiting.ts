/**
 * The waiting rule over a chat's messages, for every reader that holds them (the store's SQL rendering,
 * `waitingSinceSql` in @ym-chats/sync, is held to this by a test over both engines): a buyer waits from
 * their first message after the seller's last one; the platform's own messages (MARKET, SUPPORT, and
 * senders added later) neither start nor stop the clock; a chat counts as waiting while its status is
 * WAITING_FOR_PARTNER. Messages are taken in the chat's order (message id). Here, below every package,
 * so MCP (which reaches only the SDK) reads the same rule as the store and the inbox.
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

/** The unanswered buyer messages after one more message of the chat (oldest first). */
export function unansweredAfter(
  before: Unanswered | null,
  message: { sender: string; createdAt: string },
): Unanswered | null {
  if (message.sender === WAIT_CLOSER) return null;
  if (message.sender !== WAIT_OPENER) return before;
  return before ? { since: before.since, count: before.count + 1 } : { since: message.createdAt, count: 1 };
}

/** The buyer's unanswered messages in a chat read oldest first (null: none). */
export function unansweredOf(messages: Iterable<{ sender: string; createdAt: string }>): Unanswered | null {
  let value: Unanswered | null = null;
  for (const m of messages) value = unansweredAfter(value, m);
  return value;
}

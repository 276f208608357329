/**
 * The waiting rule, in one place for every reader of the store: a buyer waits from their first message after
 * the seller's last one; the platform's own messages (MARKET, SUPPORT, and senders added later) neither
 * start nor stop the clock; a chat counts as waiting while its status is WAITING_FOR_PARTNER. Messages are
 * taken in the chat's order (message id).
 *
 * Two renderings of the same rule, held together by a test over both engines (waiting.test.ts): a SQL
 * expression for the store's queries and the inbox's indexer, and a pure function over a message list for
 * readers that hold the messages themselves (a chat read through the API), which lives in the SDK so MCP,
 * which reaches only the SDK, reads the same one.
 */

import { WAIT_CLOSER, WAIT_OPENER } from '@ym-chats/sdk';

// The rule's pure part is the SDK's (MCP reaches only the SDK); the store re-exports it.
export {
  isWaitingStatus,
  type Unanswered,
  unansweredAfter,
  unansweredOf,
  WAIT_CLOSER,
  WAIT_OPENER,
  WAITING_STATUS,
} from '@ym-chats/sdk';

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

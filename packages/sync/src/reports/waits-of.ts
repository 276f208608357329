/**
 * The report's waits (issue 23's definitions): a chat's messages in order of (created_at, message_id); a
 * wait opens at a CUSTOMER message when none is open and closes at the next PARTNER message; every other
 * sender neither opens nor closes one. The same rule as the inbox's "waiting since" (store/waiting.ts),
 * kept as rows so a report reads only the waits of its period.
 */
import { WAIT_CLOSER, WAIT_OPENER } from '@ym-chats/sdk';

/** A stored message as the scan needs it. */
export interface WaitMessage {
  messageId: bigint;
  sender: string;
  /** ISO 8601 UTC with milliseconds (the store's one timestamp form: text order is time order). */
  createdAt: string;
}

export interface Wait {
  businessId: bigint;
  chatId: bigint;
  openMessageId: bigint;
  openedAt: string;
  closeMessageId: bigint | null;
  closedAt: string | null;
  /** The chat's first wait (first response is measured over these). */
  first: boolean;
}

/** The chat's order: created_at, then message id. */
export function byChatOrder(a: WaitMessage, b: WaitMessage): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0;
}

/**
 * The waits of a run of a chat's messages, already in the chat's order, starting at a point where no wait
 * is open. `firstOpen`: whether the run's first wait is the chat's first.
 */
export function waitsOf(
  businessId: bigint,
  chatId: bigint,
  ordered: readonly WaitMessage[],
  firstOpen = true,
): Wait[] {
  const waits: Wait[] = [];
  let open: Wait | undefined;
  for (const m of ordered) {
    if (m.sender === WAIT_OPENER && open === undefined) {
      open = {
        businessId,
        chatId,
        openMessageId: m.messageId,
        openedAt: m.createdAt,
        closeMessageId: null,
        closedAt: null,
        first: waits.length === 0 && firstOpen,
      };
      waits.push(open);
    } else if (m.sender === WAIT_CLOSER && open !== undefined) {
      open.closeMessageId = m.messageId;
      open.closedAt = m.createdAt;
      open = undefined;
    }
  }
  return waits;
}

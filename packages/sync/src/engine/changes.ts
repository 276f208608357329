/**
 * Which listed chats need a history read. getChats has no "changed since" filter, so each listed chat is
 * compared with its stored row.
 *
 * `updatedAt` (the time of the chat's last message) is the signal; it has one-second precision, so a
 * message written in the same second as the one a history read ended on, but after that read, leaves it
 * unchanged. A read therefore only settles a chat once it happened clearly after that second
 * (`settleMs`, which also absorbs clock skew with the platform); until then the next pass reads once more.
 * A later read that finds nothing new settles the chat too (see `settledAfterRead`).
 * A status change alone (no newer updatedAt, history settled) updates the row without a history read.
 */
export interface StoredChatState {
  updatedAt: string;
  status: string;
  syncedAt: string | null;
  pending: boolean;
  /** A read confirmed the history complete for this updatedAt (see `settledAfterRead`). */
  settled: boolean;
}

export const DEFAULT_SETTLE_MS = 5000;

export function needsHistory(
  listedUpdatedAt: string,
  stored: StoredChatState | undefined,
  settleMs: number,
): boolean {
  if (stored === undefined || stored.pending || stored.syncedAt === null) return true;
  if (listedUpdatedAt > stored.updatedAt) return true;
  return !stored.settled && !isSettled(stored.syncedAt, stored.updatedAt, settleMs);
}

/** Whether a history read at `syncedAt` (local clock) surely saw every message up to `updatedAt`. */
export function isSettled(syncedAt: string, updatedAt: string, settleMs: number): boolean {
  return Date.parse(syncedAt) >= Date.parse(updatedAt) + settleMs;
}

/** The API's time precision, and so the longest a same-second message can come after the last one read. */
const SECOND_MS = 1000;
/** Allowance for the request's own travel time. */
const MARGIN_MS = 500;

/**
 * Whether a finished history read settles the chat: by the clock, or — when the platform's clock runs
 * ahead of ours and the clock rule cannot — by a read at least a second after the previous one that found
 * nothing new (every message of that second existed by then), so a skewed clock costs one extra read per
 * change, not one per pass. The store applies the same rule inside its write (`settleThreshold`,
 * `confirmsIfNothingNew`), where the chat's stored `updatedAt` is known.
 */
export function settledAfterRead(
  requestedAt: string,
  updatedAt: string,
  settleMs: number,
  previousSyncedAt: string | null,
  added: number,
): boolean {
  if (isSettled(requestedAt, updatedAt, settleMs)) return true;
  return added === 0 && confirmsIfNothingNew(requestedAt, previousSyncedAt);
}

/** The clock half: a read requested at `requestedAt` settles a chat whose updatedAt is at most this (ISO). */
export function settleThreshold(requestedAt: string, settleMs: number): string {
  return new Date(Date.parse(requestedAt) - settleMs).toISOString();
}

/** The confirming half: this read settles the chat if it adds nothing (see `settledAfterRead`). */
export function confirmsIfNothingNew(requestedAt: string, previousSyncedAt: string | null): boolean {
  return (
    previousSyncedAt !== null &&
    Date.parse(requestedAt) - Date.parse(previousSyncedAt) >= SECOND_MS + MARGIN_MS
  );
}

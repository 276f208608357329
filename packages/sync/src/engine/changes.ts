/**
 * Which listed chats need a history read. getChats has no "changed since" filter, so each listed chat is
 * compared with its stored row.
 *
 * `updatedAt` (the time of the chat's last message) is the signal; it has one-second precision, so a
 * message written in the same second as the one a history read ended on, but after that read, leaves it
 * unchanged. A read therefore only settles a chat once it happened clearly after that second
 * (`settleMs`, which also absorbs clock skew with the platform); until then the next pass reads once more.
 * A status change alone (no newer updatedAt, history settled) updates the row without a history read.
 */
export interface StoredChatState {
  updatedAt: string;
  status: string;
  syncedAt: string | null;
  pending: boolean;
}

export const DEFAULT_SETTLE_MS = 5000;

export function needsHistory(
  listedUpdatedAt: string,
  stored: StoredChatState | undefined,
  settleMs: number,
): boolean {
  if (stored === undefined || stored.pending || stored.syncedAt === null) return true;
  if (listedUpdatedAt > stored.updatedAt) return true;
  return !isSettled(stored.syncedAt, stored.updatedAt, settleMs);
}

/** Whether a history read at `syncedAt` (local clock) surely saw every message up to `updatedAt`. */
export function isSettled(syncedAt: string, updatedAt: string, settleMs: number): boolean {
  return Date.parse(syncedAt) >= Date.parse(updatedAt) + settleMs;
}

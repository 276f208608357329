import type { OrderFillResult } from '../orders/order-fill.js';

/** What a pass has done so far, as the CLI shows it and `--json` prints it. */
export interface SyncProgress {
  /** The pass running now (a call that finishes an interrupted pass may run a fresh one after it). */
  runId: bigint;
  /** Chats listed so far in this pass (`runId`). */
  chatsSeen: number;
  /** Listed chats whose history had to be read. */
  chatsChanged: number;
  /** Of those, the ones read to the end. */
  chatsDone: number;
  messagesAdded: number;
  calls: { getChats: number; getChatHistory: number };
  /** Remaining hourly quota per operation, as the SDK's limiter last heard it. */
  quotaLeft: { getChats: number | null; getChatHistory: number | null };
  /** Seconds to the end of the pass, estimated from the previous pass's size; null when unknown. */
  etaSeconds: number | null;
  elapsedMs: number;
}

/**
 * A pass's end. `runId` is the pass that ran last; when an interrupted pass was finished first,
 * `resumedRunId` names it (the same as `runId` when finishing it listed every chat anew, else a fresh
 * pass followed); the counts cover both.
 */
export interface PassResult extends SyncProgress {
  resumed: boolean;
  resumedRunId: bigint | null;
  /** The orders and returns read after the chats (when the engine reads them). */
  orders?: OrderFillResult;
}

/** Estimated seconds left: the share of the chats listed so far against the last complete pass. */
export function estimateEta(elapsedMs: number, seen: number, expected: number | null): number | null {
  if (expected === null || expected <= 0 || seen === 0) return null;
  const share = Math.min(1, seen / expected);
  if (share >= 1) return 0;
  return Math.round(((elapsedMs / share) * (1 - share)) / 1000);
}

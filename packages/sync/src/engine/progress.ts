/** What a pass has done so far, as the CLI shows it and `--json` prints it. */
export interface SyncProgress {
  runId: bigint;
  /** Chats listed so far in this pass. */
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

export interface PassResult extends SyncProgress {
  resumed: boolean;
}

/** Estimated seconds left: the share of the chats listed so far against the last complete pass. */
export function estimateEta(elapsedMs: number, seen: number, expected: number | null): number | null {
  if (expected === null || expected <= 0 || seen === 0) return null;
  const share = Math.min(1, seen / expected);
  if (share >= 1) return 0;
  return Math.round(((elapsedMs / share) * (1 - share)) / 1000);
}

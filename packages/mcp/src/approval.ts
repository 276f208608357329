/**
 * Where a draft waits for a person when the client cannot ask one (no MCP elicitation). Without that, the
 * assistant's own `confirm: true` is only an argument the model sets itself — a buyer's message can talk
 * it into setting it — so it never sends: the draft is handed to a durable queue and a person approves or
 * discards it elsewhere (the web inbox's "Drafts from the assistant", or `ym-chats mcp approve`). This
 * package only defines the queue; whoever starts the server supplies one (the CLI: the inbox's table in
 * the sync store). The server asks it what became of a draft and never sends a queued draft itself.
 */

/** A draft as the person will approve it: fixed text, fixed chat, and what the chat looked like. */
export interface QueuedDraft {
  draftId: string;
  businessId: number;
  chatId: number;
  text: string;
  /**
   * The chat's newest message id when the draft was made. A seller message after it (a colleague, the
   * cabinet) makes the approval ask the person first, as it does for a reply typed in the inbox.
   */
  seenMessageId: number;
  createdAt: string;
}

/**
 * waiting: nobody decided yet. sending: a person approved it and the send is being checked or settled.
 * sent / maybeSent / notSent: what the send did. discarded: a person refused it.
 */
export type ApprovalState = 'waiting' | 'sending' | 'sent' | 'maybeSent' | 'notSent' | 'discarded';

export interface ApprovalStatus {
  state: ApprovalState;
  chatId: number;
  /** The draft's length (UTF-16 units, as the platform counts). */
  characters: number;
  /** Who approved or discarded it. */
  decidedBy?: string;
  decidedAt?: string;
  /** Why a send failed or may have gone through. */
  reason?: string;
}

export interface ApprovalQueue {
  /** Stores the draft for a person (again for the same id: nothing changes); its status afterwards. */
  submit(draft: QueuedDraft): Promise<ApprovalStatus>;
  /** undefined: the queue never saw this draft. */
  status(draftId: string): Promise<ApprovalStatus | undefined>;
  /** Where a person approves drafts, for the assistant to tell them. */
  readonly approveHint?: string;
}

export const DEFAULT_APPROVE_HINT =
  'in the web inbox ("Drafts from the assistant", ym-chats serve on the same store) or from a terminal: ' +
  'ym-chats mcp approve DRAFT_ID';

/**
 * The send ledger: what became of every reply a page made, under the page's own draft id, durable so a
 * restarted process (or another process on the same database) knows whether a reply may be at the
 * platform before anything else goes to that chat.
 *
 *   checking ──▶ pending ──▶ sent | maybeSent | notSent
 *      │ (a colleague replied, the chat could not be read: nothing reached the API)
 *      └──▶ removed
 *
 * At most one row per chat is `checking` or `pending`: that is the per-chat send lock. A row's owner (one
 * process) renews `heartbeatMs` while it holds it; a row whose heartbeat stopped changing is taken over
 * and settled by whoever meets it next (liveness.ts, desk.ts).
 */
import type { ChatKey } from '../types.js';

export type SendState = 'checking' | 'pending' | 'sent' | 'maybeSent' | 'notSent';

export interface SendRecord extends ChatKey {
  draftId: string;
  login: string;
  /** The page (tab) that made the draft: another tab of the same agent counts as someone else. */
  page: string;
  kind: 'text' | 'file';
  /** The text, or the file's name. */
  content: string;
  contentSha256: string;
  fileSize?: number;
  /** The chat's newest message id read just before sending: whatever this send made comes after it. */
  mark?: number;
  state: SendState;
  owner?: string;
  heartbeatMs: number;
  createdMs: number;
  settledMs?: number;
  errorCode?: string;
  errorMessage?: string;
  /** The message the send made, once read back. */
  messageId?: number;
}

export type NewSend = Omit<
  SendRecord,
  'state' | 'mark' | 'settledMs' | 'errorCode' | 'errorMessage' | 'messageId'
> & { owner: string };

export type Settled =
  | { state: 'sent'; messageId?: number }
  | { state: 'maybeSent' | 'notSent'; errorCode: string; errorMessage: string };

export type BeginResult =
  | { begun: true }
  /** The draft id is known already. */
  | { begun: false; existing: SendRecord }
  /** Another send to this chat is being checked or may be at the platform. */
  | { begun: false; busy: SendRecord };

export interface SendLedgerStore {
  get(draftId: string): Promise<SendRecord | undefined>;
  /** A new `checking` row, unless the draft id exists or the chat has a send under way. */
  begin(send: NewSend): Promise<BeginResult>;
  /** checking → pending, with the mark; false when the row is no longer this owner's. */
  markPending(draftId: string, owner: string, mark: number): Promise<boolean>;
  /** pending → a final state; false when the row is no longer this owner's. */
  settle(draftId: string, owner: string, outcome: Settled, nowMs: number): Promise<boolean>;
  /** Removes a `checking` row of this owner's: nothing of it reached the API. */
  discard(draftId: string, owner: string): Promise<void>;
  /** Renews every checking or pending row of this owner's. */
  heartbeat(owner: string, nowMs: number): Promise<void>;
  /**
   * Takes an open row whose heartbeat is still `heartbeatMs` (its holder was seen gone with that value);
   * one taker wins, and a holder that renewed meanwhile keeps it.
   */
  takeOver(draftId: string, owner: string, heartbeatMs: number, nowMs: number): Promise<boolean>;
  /** The chat's sends whose message is known, newest first: who wrote which of the seller's messages. */
  sentIn(chat: ChatKey, afterMessageId: number): Promise<SendRecord[]>;
}

const chatOf = (r: ChatKey) => `${r.businessId}:${r.chatId}`;
const open = (r: SendRecord) => r.state === 'checking' || r.state === 'pending';

/** The ledger in this process's memory (`createInbox` without a database). */
export class MemorySendLedger implements SendLedgerStore {
  private readonly rows = new Map<string, SendRecord>();

  async get(draftId: string) {
    const row = this.rows.get(draftId);
    return row && { ...row };
  }

  async begin(send: NewSend): Promise<BeginResult> {
    const existing = this.rows.get(send.draftId);
    if (existing) return { begun: false, existing: { ...existing } };
    const busy = [...this.rows.values()].find((r) => open(r) && chatOf(r) === chatOf(send));
    if (busy) return { begun: false, busy: { ...busy } };
    this.rows.set(send.draftId, { ...send, state: 'checking' });
    return { begun: true };
  }

  async markPending(draftId: string, owner: string, mark: number) {
    const row = this.rows.get(draftId);
    if (row?.state !== 'checking' || row.owner !== owner) return false;
    row.state = 'pending';
    row.mark = mark;
    return true;
  }

  async settle(draftId: string, owner: string, outcome: Settled, nowMs: number) {
    const row = this.rows.get(draftId);
    if (row?.state !== 'pending' || row.owner !== owner) return false;
    Object.assign(row, outcome, { settledMs: nowMs });
    return true;
  }

  async discard(draftId: string, owner: string) {
    const row = this.rows.get(draftId);
    if (row?.state === 'checking' && row.owner === owner) this.rows.delete(draftId);
  }

  async heartbeat(owner: string, nowMs: number) {
    for (const row of this.rows.values()) if (open(row) && row.owner === owner) row.heartbeatMs = nowMs;
  }

  async takeOver(draftId: string, owner: string, heartbeatMs: number, nowMs: number) {
    const row = this.rows.get(draftId);
    if (!row || !open(row) || row.heartbeatMs !== heartbeatMs) return false;
    row.owner = owner;
    row.heartbeatMs = nowMs;
    return true;
  }

  async sentIn(chat: ChatKey, afterMessageId: number) {
    return [...this.rows.values()]
      .filter((r) => chatOf(r) === chatOf(chat) && r.messageId !== undefined && r.messageId > afterMessageId)
      .sort((a, b) => (b.messageId ?? 0) - (a.messageId ?? 0))
      .map((r) => ({ ...r }));
  }
}

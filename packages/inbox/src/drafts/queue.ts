/**
 * The approval queue as the MCP server sees it (its `ApprovalQueue`, which the CLI hands it): drafts go
 * in, and what a person did with them comes out. Nothing here sends. The MCP package does not depend on
 * this one; the shapes below match its interface, and the CLI's typecheck holds them together.
 */
import type { SyncStore } from '@ym-chats/sync';
import type { SendRecord } from '../reply/ledger.js';
import { migrateInbox } from '../store/migrations.js';
import { SqlSendLedger } from '../store/sql-send-ledger.js';
import { type AssistantDraft, SqlAssistantDrafts } from './store.js';

export interface QueuedAssistantDraft {
  draftId: string;
  businessId: number;
  chatId: number;
  text: string;
  seenMessageId: number;
  createdAt: string;
}

export interface AssistantDraftStatus {
  state: 'waiting' | 'sending' | 'sent' | 'maybeSent' | 'notSent' | 'discarded';
  chatId: number;
  characters: number;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
}

export class AssistantDraftQueue {
  readonly approveHint =
    'in the web inbox: "Drafts from the assistant" (ym-chats serve on the same store), or from a terminal: ' +
    'ym-chats mcp approve DRAFT_ID --store <the same store>';
  private readonly drafts: SqlAssistantDrafts;
  private readonly ledger: SqlSendLedger;

  private constructor(store: SyncStore) {
    this.drafts = new SqlAssistantDrafts(store.database());
    this.ledger = new SqlSendLedger(store.database());
  }

  /** The inbox's tables are made (or upgraded) here: the server may run before any `serve` did. */
  static async open(store: SyncStore): Promise<AssistantDraftQueue> {
    await migrateInbox(store.database());
    return new AssistantDraftQueue(store);
  }

  async submit(draft: QueuedAssistantDraft): Promise<AssistantDraftStatus> {
    const stored = await this.drafts.add({
      draftId: draft.draftId,
      businessId: draft.businessId,
      chatId: draft.chatId,
      text: draft.text,
      seenMessageId: draft.seenMessageId,
      createdMs: Date.parse(draft.createdAt) || Date.now(),
    });
    return this.statusOf(stored);
  }

  async status(draftId: string): Promise<AssistantDraftStatus | undefined> {
    const draft = await this.drafts.get(draftId);
    return draft && this.statusOf(draft);
  }

  private async statusOf(draft: AssistantDraft): Promise<AssistantDraftStatus> {
    const base = { chatId: draft.chatId, characters: draft.text.length };
    const decided = {
      ...(draft.decidedBy === undefined ? {} : { decidedBy: draft.decidedBy }),
      ...(draft.decidedMs === undefined ? {} : { decidedAt: new Date(draft.decidedMs).toISOString() }),
    };
    if (draft.state === 'waiting') return { state: 'waiting', ...base };
    if (draft.state === 'discarded') return { state: 'discarded', ...base, ...decided };
    return { ...sendState(await this.ledger.get(draft.draftId)), ...base, ...decided };
  }
}

/** An approved draft's send, from the ledger row under its id (none yet: the send is being checked). */
function sendState(send: SendRecord | undefined): Pick<AssistantDraftStatus, 'state' | 'reason'> {
  switch (send?.state) {
    case 'sent':
      return { state: 'sent' };
    case 'maybeSent':
      return { state: 'maybeSent', reason: send.errorMessage ?? 'the outcome is unknown' };
    case 'notSent':
      return { state: 'notSent', reason: send.errorMessage ?? 'the send failed' };
    default:
      return { state: 'sending' };
  }
}

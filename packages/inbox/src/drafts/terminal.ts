/**
 * Deciding on the assistant's drafts without the web inbox (`ym-chats mcp approve|discard|drafts`): a desk
 * of its own over the same store — the ledger, the assignments and the store's chats — so a draft approved
 * from a terminal passes exactly the checks a reply typed in the inbox does, and goes out at most once.
 */
import { randomUUID } from 'node:crypto';
import type { ChatsApi } from '@ym-chats/sdk';
import type { SyncStore } from '@ym-chats/sync';
import { MemoryBus } from '../live/bus.js';
import { ReplyDesk } from '../reply/desk.js';
import { migrateInbox } from '../store/migrations.js';
import { SqlSendLedger } from '../store/sql-send-ledger.js';
import { StoreSource } from '../store/sql-source.js';
import { SqlTeamStore } from '../store/sql-team-store.js';
import { type ApproveRequest, approveDraft, type DraftAnswer, discardDraft } from './approve.js';
import { type AssistantDraft, type AssistantDraftState, SqlAssistantDrafts } from './store.js';

export interface TerminalDecision {
  store: SyncStore;
  api: ChatsApi;
  draftId: string;
  /** Who decides, as the inbox's audit trail and assignments name them (the local user: "local"). */
  login: string;
  /** Only drafts of this business (the credential's); another's is refused as unknown. */
  businessId: number;
  /**
   * Answer the desk's questions with yes: send over a reply made meanwhile (having been shown it) and over
   * a colleague's assignment. A busy chat is waited for, never overridden.
   */
  anyway?: boolean;
}

export interface TerminalOutcome {
  /** undefined: no such draft for this business. */
  draft?: AssistantDraft;
  /** Its state before this decision: `approved` or `discarded` means someone decided earlier. */
  before?: AssistantDraftState;
  answer: DraftAnswer;
  /** Questions answered with yes on the way (`anyway`), for the person to read. */
  overridden: DraftAnswer[];
}

async function withDesk<T>(
  store: SyncStore,
  api: ChatsApi,
  run: (desk: ReplyDesk, drafts: SqlAssistantDrafts) => Promise<T>,
): Promise<T> {
  const source = await StoreSource.open(store, { api, follow: false });
  const desk = new ReplyDesk({
    api,
    ledger: new SqlSendLedger(store.database()),
    team: new SqlTeamStore(store.database()),
    source,
    bus: new MemoryBus(),
  });
  try {
    return await run(desk, new SqlAssistantDrafts(store.database()));
  } finally {
    // Waits for a send the platform may or may not have taken to be settled from the chat's history.
    await desk.close();
    await source.close();
  }
}

async function ownDraft(drafts: SqlAssistantDrafts, draftId: string, businessId: number) {
  const draft = await drafts.get(draftId);
  return draft?.businessId === businessId ? draft : undefined;
}

export async function approveAssistantDraft(options: TerminalDecision): Promise<TerminalOutcome> {
  const page = `terminal-${randomUUID().slice(0, 8)}`;
  return withDesk(options.store, options.api, async (desk, drafts) => {
    const draft = await ownDraft(drafts, options.draftId, options.businessId);
    if (!draft) return { answer: { state: 'unknown' }, overridden: [] };
    const overridden: DraftAnswer[] = [];
    let request: ApproveRequest = { login: options.login, page };
    let answer = await approveDraft({ desk, drafts }, draft, request);
    while (options.anyway && answer.state === 'conflict' && answer.code !== 'BUSY' && overridden.length < 3) {
      overridden.push(answer);
      request =
        answer.code === 'ASSIGNED'
          ? { ...request, acceptAssignee: answer.assignee }
          : { ...request, seenMessageId: answer.newestMessageId };
      answer = await approveDraft({ desk, drafts }, (await drafts.get(draft.draftId)) ?? draft, request);
    }
    if (answer.state === 'checking') {
      // The platform's window for a send that may have landed: the desk settles it before it closes.
      await desk.close();
      answer = await desk.status(options.login, draft, draft.draftId);
    }
    const now = (await drafts.get(draft.draftId)) ?? draft;
    return { draft: now, before: draft.state, answer, overridden };
  });
}

export async function discardAssistantDraft(
  options: Omit<TerminalDecision, 'anyway'>,
): Promise<TerminalOutcome> {
  return withDesk(options.store, options.api, async (desk, drafts) => {
    const draft = await ownDraft(drafts, options.draftId, options.businessId);
    if (!draft) return { answer: { state: 'unknown' }, overridden: [] };
    const answer = await discardDraft({ desk, drafts }, draft, options.login);
    const now = (await drafts.get(draft.draftId)) ?? draft;
    return { draft: now, before: draft.state, answer, overridden: [] };
  });
}

/** The drafts waiting for a person in these businesses, oldest first. */
export async function listAssistantDrafts(
  store: SyncStore,
  businessIds: readonly number[],
): Promise<AssistantDraft[]> {
  await migrateInbox(store.database());
  return new SqlAssistantDrafts(store.database()).waiting(businessIds);
}

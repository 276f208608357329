/**
 * A person's decision on an assistant's draft. Approving sends it through the desk — the same ledger, the
 * same per-chat lock and the same "replied meanwhile / assigned / busy" questions as a reply typed in the
 * inbox — under the assistant's draft id, so it can reach the API at most once whoever approves it, how
 * often and from where. A question or a refusal before the API leaves the draft waiting again.
 */
import { HttpError } from '../http/respond.js';
import type { DeskAnswer, ReplyDesk } from '../reply/desk.js';
import type { AssistantDraft, SqlAssistantDrafts } from './store.js';

/** What became of a draft: the desk's answer once approved, or the person's refusal. */
export type DraftAnswer = DeskAnswer | { state: 'waiting' } | { state: 'discarded'; by?: string };

export interface ApproveRequest {
  login: string;
  /** The page (or terminal run) approving: its own sends are not "someone else's" reply. */
  page: string;
  /** Moves the draft's mark forward after the person saw what was replied meanwhile. */
  seenMessageId?: number;
  /** The assignee the person agreed to reply over. */
  acceptAssignee?: string;
}

export interface DraftDeps {
  desk: ReplyDesk;
  drafts: SqlAssistantDrafts;
  now?: () => number;
}

/**
 * An approval whose send never began (no ledger row) for this long belongs to a process that died between
 * taking the draft and sending it: well beyond the desk's wait for a chat's lock (20 s) and history read.
 */
export const STALLED_APPROVAL_MS = 2 * 60_000;

/** The draft's state as the person sees it; an approved one's from the ledger (the desk settles a dead sender's). */
export async function draftOutcome(desk: ReplyDesk, draft: AssistantDraft): Promise<DraftAnswer> {
  if (draft.state === 'waiting') return { state: 'waiting' };
  if (draft.state === 'discarded')
    return draft.decidedBy === undefined
      ? { state: 'discarded' }
      : { state: 'discarded', by: draft.decidedBy };
  const known = await desk.status(draft.decidedBy ?? '', draft, draft.draftId);
  // Approved, the send not begun yet (its lock or its history read): it is on its way.
  return known.state === 'unknown' ? { state: 'checking' } : known;
}

export async function approveDraft(
  deps: DraftDeps,
  first: AssistantDraft,
  request: ApproveRequest,
): Promise<DraftAnswer> {
  const { desk, drafts } = deps;
  const now = deps.now ?? Date.now;
  let draft: AssistantDraft | undefined = first;
  for (let round = 0; round < 3 && draft; round++) {
    if (draft.state === 'discarded') return draftOutcome(desk, draft);
    if (draft.state === 'approved') {
      const known = await desk.status(draft.decidedBy ?? '', draft, draft.draftId);
      const stalled = known.state === 'unknown' && (draft.decidedMs ?? 0) < now() - STALLED_APPROVAL_MS;
      if (!stalled) return known.state === 'unknown' ? { state: 'checking' } : known;
      if (!(await drafts.reclaim(draft.draftId, draft.decidedMs ?? 0, request.login, now()))) {
        draft = await drafts.get(draft.draftId);
        continue;
      }
    } else if (!(await drafts.claim(draft.draftId, request.login, now()))) {
      // Someone decided first: answer with what they did.
      draft = await drafts.get(draft.draftId);
      continue;
    }
    return send(deps, draft, request);
  }
  if (!draft) throw new HttpError(404, 'NOT_FOUND', 'no such assistant draft');
  return draftOutcome(desk, draft);
}

async function send(deps: DraftDeps, draft: AssistantDraft, request: ApproveRequest): Promise<DraftAnswer> {
  const { desk, drafts } = deps;
  let answer: DeskAnswer;
  try {
    answer = await desk.send({
      businessId: draft.businessId,
      chatId: draft.chatId,
      login: request.login,
      page: request.page,
      draftId: draft.draftId,
      content: { text: draft.text },
      seenMessageId: Math.max(draft.seenMessageId, request.seenMessageId ?? 0),
      ...(request.acceptAssignee === undefined ? {} : { acceptAssignee: request.acceptAssignee }),
    });
  } catch (error) {
    await reopenIfUnsent(desk, drafts, draft, request.login);
    throw error;
  }
  if (answer.state === 'conflict' || answer.state === 'notSent') {
    await reopenIfUnsent(desk, drafts, draft, request.login);
  }
  return answer;
}

/** Nothing of this approval reached the API (no ledger row): the draft waits for a decision again. */
async function reopenIfUnsent(
  desk: ReplyDesk,
  drafts: SqlAssistantDrafts,
  draft: AssistantDraft,
  login: string,
): Promise<void> {
  if ((await desk.status(login, draft, draft.draftId)).state === 'unknown') {
    await drafts.reopen(draft.draftId, login);
  }
}

/** waiting → discarded; a draft already approved or discarded answers with what became of it. */
export async function discardDraft(
  deps: DraftDeps,
  draft: AssistantDraft,
  login: string,
): Promise<DraftAnswer> {
  const now = deps.now ?? Date.now;
  if (draft.state === 'waiting' && (await deps.drafts.discard(draft.draftId, login, now()))) {
    return { state: 'discarded', by: login };
  }
  const current = await deps.drafts.get(draft.draftId);
  return current ? draftOutcome(deps.desk, current) : { state: 'unknown' };
}

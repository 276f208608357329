/**
 * The assistant's drafts that wait for a person ("Drafts from the assistant"): listed for the businesses
 * the agent serves, sent or discarded by them. A send is the desk's, exactly as for a typed reply (see
 * drafts/approve.ts), so its questions come back as the same 409s the page already answers.
 */
import { canSee } from '../auth/agents.js';
import { approveDraft, discardDraft, draftOutcome } from '../drafts/approve.js';
import { type AssistantDraft, SqlAssistantDrafts } from '../drafts/store.js';
import { HttpError, readJson, sendJson } from '../http/respond.js';
import { StoreSource } from '../store/sql-source.js';
import type { ApiContext, RequestState, Route } from './context.js';
import { asAgent, checkBusiness, parseId } from './context.js';
import { answerSend } from './send-answer.js';

const DRAFT = String.raw`^\/api\/assistant-drafts\/([\w-]{8,64})`;
const PAGE_ID = /^[\w-]{8,64}$/;

const stores = new WeakMap<ApiContext, SqlAssistantDrafts>();

/** The drafts live in the store's database; an inbox over another source has none. */
function draftsOf(ctx: ApiContext): SqlAssistantDrafts | undefined {
  const source = ctx.options.source;
  if (!(source instanceof StoreSource)) return undefined;
  let drafts = stores.get(ctx);
  if (!drafts) {
    drafts = new SqlAssistantDrafts(source.store.sql);
    stores.set(ctx, drafts);
  }
  return drafts;
}

/** The draft from the path, after checking the agent serves its business. */
async function openDraft(ctx: ApiContext, state: RequestState, params: string[]) {
  const request = asAgent(state);
  const drafts = draftsOf(ctx);
  const draft = drafts && (await drafts.get(params[0] ?? ''));
  if (!drafts || !draft) throw new HttpError(404, 'NOT_FOUND', 'no such assistant draft');
  checkBusiness(ctx, request.agent, draft.businessId);
  return { request, drafts, draft, deps: { desk: ctx.desk, drafts } };
}

function draftOut(draft: AssistantDraft) {
  return {
    draftId: draft.draftId,
    businessId: draft.businessId,
    chatId: draft.chatId,
    text: draft.text,
    seenMessageId: draft.seenMessageId,
    createdAt: new Date(draft.createdMs).toISOString(),
  };
}

async function list(ctx: ApiContext, state: RequestState) {
  const { agent, url } = asAgent(state);
  const drafts = draftsOf(ctx);
  const business = url.searchParams.get('business');
  const chat = url.searchParams.get('chat');
  let businessIds = agent.businessIds;
  let oneChat: { businessId: number; chatId: number } | undefined;
  if (business) {
    const businessId = parseId(business, 'business');
    checkBusiness(ctx, agent, businessId);
    businessIds = [businessId];
    if (chat) oneChat = { businessId, chatId: parseId(chat, 'chat') };
  }
  const waiting = drafts ? await drafts.waiting(businessIds, oneChat) : [];
  const out = [];
  for (const draft of waiting) {
    if (!canSee(agent, draft.businessId)) continue;
    const chatView = await ctx.options.source.chat(draft.businessId, draft.chatId);
    out.push({ ...draftOut(draft), ...(chatView ? { chat: chatView } : {}) });
  }
  sendJson(state.res, 200, { drafts: out });
}

async function status(ctx: ApiContext, state: RequestState, params: string[]) {
  const { draft } = await openDraft(ctx, state, params);
  answerSend(state, await draftOutcome(ctx.desk, draft));
}

async function send(ctx: ApiContext, state: RequestState, params: string[]) {
  const { request, draft, deps } = await openDraft(ctx, state, params);
  const body = await readJson(state.req);
  const { page, seenMessageId, acceptAssignee } = body;
  if (typeof page !== 'string' || !PAGE_ID.test(page)) {
    throw new HttpError(400, 'BAD_PAGE', 'page must be the page id (8-64 of A-Z a-z 0-9 _ -)');
  }
  const seen = Number(seenMessageId ?? 0);
  if (!Number.isSafeInteger(seen) || seen < 0) {
    throw new HttpError(400, 'BAD_SEEN', 'seenMessageId must be a message id (0 for the draft’s own mark)');
  }
  const result = await approveDraft(deps, draft, {
    login: request.agent.login,
    page,
    ...(seen > 0 ? { seenMessageId: seen } : {}),
    ...(typeof acceptAssignee === 'string' && acceptAssignee ? { acceptAssignee } : {}),
  });
  answerSend(state, result);
}

async function discard(ctx: ApiContext, state: RequestState, params: string[]) {
  const { request, draft, deps } = await openDraft(ctx, state, params);
  answerSend(state, await discardDraft(deps, draft, request.agent.login));
}

export const draftRoutes: Route[] = [
  { method: 'GET', pattern: /^\/api\/assistant-drafts$/, handle: list },
  { method: 'GET', pattern: new RegExp(`${DRAFT}$`), handle: status },
  { method: 'POST', pattern: new RegExp(`${DRAFT}/send$`), handle: send },
  { method: 'POST', pattern: new RegExp(`${DRAFT}/discard$`), handle: discard },
];

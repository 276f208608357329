/**
 * The assistant's drafts that wait for a person ("Drafts from the assistant"): listed for the businesses
 * the agent serves, sent or discarded by them. A send is the desk's, exactly as for a typed reply (see
 * drafts/approve.ts), so its questions come back as the same 409s the page already answers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canSee } from '../auth/agents.js';
import { approveDraft, discardDraft, draftOutcome } from '../drafts/approve.js';
import { type AssistantDraft, SqlAssistantDrafts } from '../drafts/store.js';
import { HttpError } from '../http/respond.js';
import { StoreSource } from '../store/sql-source.js';
import type { ApiContext } from './context.js';
import { checkBusiness, parseId, queryParam, signedIn } from './context.js';
import { answerSend } from './send-answer.js';

/** Ids the page or the assistant made: anything else in their place is no such route (404). */
const DRAFT = '/api/assistant-drafts/:draftId(^[\\w-]{8,64}$)';

type DraftRequest<Body> = FastifyRequest<{ Params: { draftId: string }; Body: Body }>;
type DraftPath = FastifyRequest<{ Params: { draftId: string } }>;

const stores = new WeakMap<ApiContext, SqlAssistantDrafts>();

/** The drafts live in the store's database; an inbox over another source has none. */
function draftsOf(ctx: ApiContext): SqlAssistantDrafts | undefined {
  const source = ctx.options.source;
  if (!(source instanceof StoreSource)) return undefined;
  let drafts = stores.get(ctx);
  if (!drafts) {
    drafts = new SqlAssistantDrafts(source.store.database());
    stores.set(ctx, drafts);
  }
  return drafts;
}

/** The draft from the path, after checking the agent serves its business. */
async function openDraft(ctx: ApiContext, request: DraftPath) {
  const { agent } = signedIn(request);
  const drafts = draftsOf(ctx);
  const draft = drafts && (await drafts.get(request.params.draftId));
  if (!drafts || !draft) throw new HttpError(404, 'NOT_FOUND', 'no such assistant draft');
  checkBusiness(ctx, agent, draft.businessId);
  return { agent, drafts, draft, deps: { desk: ctx.desk, drafts } };
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

async function list(ctx: ApiContext, request: FastifyRequest) {
  const { agent } = signedIn(request);
  const drafts = draftsOf(ctx);
  const business = queryParam(request, 'business');
  const chat = queryParam(request, 'chat');
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
  return { drafts: out };
}

async function status(ctx: ApiContext, request: DraftPath, reply: FastifyReply) {
  const { draft } = await openDraft(ctx, request);
  return answerSend(reply, await draftOutcome(ctx.desk, draft));
}

interface SendBody {
  page: string;
  seenMessageId?: number;
  acceptAssignee?: unknown;
}

async function send(ctx: ApiContext, request: DraftRequest<SendBody>, reply: FastifyReply) {
  const { agent, draft, deps } = await openDraft(ctx, request);
  const { page, seenMessageId, acceptAssignee } = request.body;
  const seen = seenMessageId ?? 0;
  const result = await approveDraft(deps, draft, {
    login: agent.login,
    page,
    ...(seen > 0 ? { seenMessageId: seen } : {}),
    ...(typeof acceptAssignee === 'string' && acceptAssignee ? { acceptAssignee } : {}),
  });
  return answerSend(reply, result);
}

async function discard(ctx: ApiContext, request: DraftPath, reply: FastifyReply) {
  const { agent, draft, deps } = await openDraft(ctx, request);
  return answerSend(reply, await discardDraft(deps, draft, agent.login));
}

const SEND_SCHEMA = {
  body: {
    type: 'object',
    required: ['page'],
    properties: {
      page: { type: 'string', pattern: '^[\\w-]{8,64}$' },
      seenMessageId: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    },
  },
} as const;

export function draftRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.get('/api/assistant-drafts', (request) => list(ctx, request));
  api.get<{ Params: { draftId: string } }>(DRAFT, (request, reply) => status(ctx, request, reply));
  api.post<{ Params: { draftId: string }; Body: SendBody }>(
    `${DRAFT}/send`,
    {
      schema: SEND_SCHEMA,
      config: {
        invalid: {
          page: ['BAD_PAGE', 'page must be the page id (8-64 of A-Z a-z 0-9 _ -)'],
          seenMessageId: ['BAD_SEEN', 'seenMessageId must be a message id (0 for the draft’s own mark)'],
        },
      },
    },
    (request, reply) => send(ctx, request, reply),
  );
  api.post<{ Params: { draftId: string } }>(`${DRAFT}/discard`, (request, reply) =>
    discard(ctx, request, reply),
  );
}

import { proxyFile } from '../http/file-proxy.js';
import { HttpError, readBody, readJson, sendJson } from '../http/respond.js';
import type { ReplyContent } from '../reply/send.js';
import { FILE_MAX_BYTES } from '../shared/limits.js';
import { pageKey } from '../team/presence.js';
import type { ChatKey } from '../types.js';
import type { AgentRequest, ApiContext, RequestState, Route } from './context.js';
import { asAgent, checkBusiness, parseId } from './context.js';
import { answerSend } from './send-answer.js';

const CHAT = String.raw`^\/api\/businesses\/(\d+)\/chats\/(\d+)`;

/** The chat from the path, after checking the agent serves its business and the chat exists. */
async function openChat(ctx: ApiContext, state: RequestState, params: string[]) {
  const request = asAgent(state);
  const businessId = parseId(params[0], 'businessId');
  const chatId = parseId(params[1], 'chatId');
  checkBusiness(ctx, request.agent, businessId);
  const chat = await ctx.options.source.chat(businessId, chatId);
  if (!chat) throw new HttpError(404, 'NOT_FOUND', 'no such chat');
  return { request, key: { businessId, chatId }, chat };
}

async function chat(ctx: ApiContext, state: RequestState, params: string[]) {
  const { key, chat } = await openChat(ctx, state, params);
  const assignee = await ctx.team.assignee(key);
  const audit = await ctx.team.auditOf(key, 50);
  sendJson(state.res, 200, {
    chat: assignee === undefined ? chat : { ...chat, assignee },
    viewers: ctx.presence.viewers(key.businessId, key.chatId),
    audit,
    lastAuditId: audit[0]?.id ?? 0,
  });
}

async function history(ctx: ApiContext, state: RequestState, params: string[]) {
  const { key } = await openChat(ctx, state, params);
  const before = state.url.searchParams.get('before');
  const limit = Math.min(Number(state.url.searchParams.get('limit') ?? 500) || 500, 1000);
  const messages = await ctx.options.source.history(key.businessId, key.chatId, {
    limit,
    ...(before ? { beforeMessageId: parseId(before, 'before') } : {}),
  });
  sendJson(state.res, 200, { messages });
}

/** The fields every send carries besides its content (JSON for text, headers for a file). */
interface SendFields {
  draftId: string;
  page: string;
  seenMessageId: number;
  acceptAssignee?: string;
  ownMessageIds?: number[];
}

const PAGE_MADE_ID = /^[\w-]{8,64}$/;

function sendFields(fields: Record<string, unknown>): SendFields {
  const { clientId, page, seenMessageId, acceptAssignee, ownMessageIds } = fields;
  if (typeof clientId !== 'string' || !PAGE_MADE_ID.test(clientId)) {
    throw new HttpError(
      400,
      'BAD_CLIENT_ID',
      'clientId must be the draft id the page made (8-64 of A-Z a-z 0-9 _ -)',
    );
  }
  if (typeof page !== 'string' || !PAGE_MADE_ID.test(page)) {
    throw new HttpError(400, 'BAD_PAGE', 'page must be the page id (8-64 of A-Z a-z 0-9 _ -)');
  }
  const seen = Number(seenMessageId ?? 0);
  if (!Number.isSafeInteger(seen) || seen < 0) {
    throw new HttpError(
      400,
      'BAD_SEEN',
      'seenMessageId must be the newest message id the page showed (0 for none)',
    );
  }
  return {
    draftId: clientId,
    page,
    seenMessageId: seen,
    ...(typeof acceptAssignee === 'string' && acceptAssignee ? { acceptAssignee } : {}),
    ...(ownMessageIds === undefined ? {} : { ownMessageIds: messageIds(ownMessageIds) }),
  };
}

/** The ids of the page's own sent replies (at most 100): numbers, or their decimal strings from a header. */
function messageIds(value: unknown): number[] {
  const ids = Array.isArray(value) ? value.map(Number) : [];
  if (ids.length > 100 || !ids.every((id) => Number.isSafeInteger(id) && id > 0)) {
    throw new HttpError(400, 'BAD_OWN_IDS', 'ownMessageIds must be at most 100 message ids');
  }
  return ids;
}

async function deliver(
  ctx: ApiContext,
  request: AgentRequest,
  key: ChatKey,
  fields: SendFields,
  content: ReplyContent,
) {
  const result = await ctx.desk.send({ ...key, ...fields, login: request.agent.login, content });
  answerSend(request, result);
}

async function sendText(ctx: ApiContext, state: RequestState, params: string[]) {
  const { request, key } = await openChat(ctx, state, params);
  const body = await readJson(state.req);
  if (typeof body.text !== 'string') throw new HttpError(400, 'BAD_TEXT', 'text must be a string');
  await deliver(ctx, request, key, sendFields(body), { text: body.text });
}

/** The file is the raw body; its name and the send fields travel in headers. */
async function sendFile(ctx: ApiContext, state: RequestState, params: string[]) {
  const { request, key } = await openChat(ctx, state, params);
  const header = (name: string) => {
    const value = state.req.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  let name: string;
  let acceptAssignee: string | undefined;
  try {
    name = decodeURIComponent(header('x-file-name') ?? '');
    acceptAssignee = decodeURIComponent(header('x-accept-assignee') ?? '');
  } catch {
    throw new HttpError(400, 'BAD_FILE_NAME', 'X-File-Name and X-Accept-Assignee must be URI-encoded');
  }
  if (!name || name.length > 255)
    throw new HttpError(400, 'BAD_FILE_NAME', 'X-File-Name is missing or too long');
  const fields = sendFields({
    clientId: header('x-client-id'),
    page: header('x-page-id'),
    seenMessageId: header('x-seen-message-id'),
    acceptAssignee,
    ownMessageIds: header('x-own-message-ids')
      ?.split(',')
      .filter((id) => id !== ''),
  });
  const data = await readBody(state.req, FILE_MAX_BYTES);
  if (data.length === 0) throw new HttpError(400, 'EMPTY_FILE', 'the file is empty');
  await deliver(ctx, request, key, fields, { file: { data, name } });
}

/** What became of a send the page lost the answer to (or is still settling). */
async function sendStatus(ctx: ApiContext, state: RequestState, params: string[]) {
  const { request, key } = await openChat(ctx, state, params);
  const draftId = params[2] ?? '';
  answerSend(state, await ctx.desk.status(request.agent.login, key, draftId));
}

async function assign(ctx: ApiContext, state: RequestState, params: string[]) {
  const { request, key } = await openChat(ctx, state, params);
  const body = await readJson(state.req);
  const login = body.login === null ? null : typeof body.login === 'string' ? body.login : undefined;
  if (login === undefined) throw new HttpError(400, 'BAD_LOGIN', 'login must be a string or null');
  if (login !== null) {
    const target = ctx.agentOf(login);
    if (!target?.businessIds.includes(key.businessId)) {
      throw new HttpError(400, 'BAD_LOGIN', 'no such agent for this business');
    }
  }
  await ctx.team.assign(key, login);
  await ctx.team.audit({ login: request.agent.login, action: 'assigned', ...key, detail: login ?? '' });
  ctx.bus.publish({ type: 'assigned', ...key, assignee: login, by: request.agent.login });
  sendJson(state.res, 200, { assignee: login });
}

async function presence(ctx: ApiContext, state: RequestState, params: string[]) {
  const { request, key } = await openChat(ctx, state, params);
  const body = await readJson(state.req);
  if (typeof body.page !== 'string' || !/^[\w-]{8,64}$/.test(body.page)) {
    throw new HttpError(400, 'BAD_PAGE', 'page must be the page id');
  }
  ctx.presence.update(
    pageKey(request.session.id, body.page),
    { login: request.agent.login, name: request.agent.name },
    key,
    body.typing === true,
  );
  sendJson(state.res, 200, { viewers: ctx.presence.viewers(key.businessId, key.chatId) });
}

async function download(ctx: ApiContext, state: RequestState, params: string[]) {
  const { key } = await openChat(ctx, state, params);
  const url = state.url.searchParams.get('url') ?? '';
  // Only an attachment of this very chat: the proxy is not a way to fetch arbitrary URLs with the credential.
  const file = await ctx.options.source.file(key.businessId, key.chatId, url);
  if (!file) throw new HttpError(404, 'NOT_FOUND', 'no such attachment in this chat');
  if (!ctx.options.fetchFile)
    throw new HttpError(501, 'NO_FETCHER', 'attachment downloads are not configured');
  await proxyFile(state.res, file, ctx.options.fetchFile, key.businessId);
}

export const chatRoutes: Route[] = [
  { method: 'GET', pattern: new RegExp(`${CHAT}$`), handle: chat },
  { method: 'GET', pattern: new RegExp(`${CHAT}/messages$`), handle: history },
  { method: 'POST', pattern: new RegExp(`${CHAT}/messages$`), handle: sendText },
  { method: 'POST', pattern: new RegExp(`${CHAT}/files$`), handle: sendFile },
  { method: 'GET', pattern: new RegExp(`${CHAT}/sends/([\\w-]{8,64})$`), handle: sendStatus },
  { method: 'POST', pattern: new RegExp(`${CHAT}/assign$`), handle: assign },
  { method: 'POST', pattern: new RegExp(`${CHAT}/presence$`), handle: presence },
  { method: 'GET', pattern: new RegExp(`${CHAT}/file$`), handle: download },
];

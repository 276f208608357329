import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Agent } from '../auth/agents.js';
import { proxyFile } from '../http/file-proxy.js';
import { HttpError } from '../http/respond.js';
import type { ReplyContent } from '../reply/send.js';
import { FILE_MAX_BYTES } from '../shared/limits.js';
import { pageKey } from '../team/presence.js';
import type { ChatKey } from '../types.js';
import type { ApiContext } from './context.js';
import { checkBusiness, parseId, queryParam, signedIn } from './context.js';
import { answerSend } from './send-answer.js';
import { refuseUnfilled } from './templates.js';

/** Digits only, as before Fastify: anything else in an id's place is no such route (404). */
const CHAT = '/api/businesses/:businessId(^\\d+$)/chats/:chatId(^\\d+$)';

interface ChatParams {
  businessId: string;
  chatId: string;
}

type ChatRequest<Body> = FastifyRequest<{ Params: ChatParams; Body: Body }>;

/** The chat from the path, after checking the agent serves its business and the chat exists. */
async function openChat(ctx: ApiContext, request: FastifyRequest<{ Params: ChatParams }>) {
  const { agent, session } = signedIn(request);
  const businessId = parseId(request.params.businessId, 'businessId');
  const chatId = parseId(request.params.chatId, 'chatId');
  checkBusiness(ctx, agent, businessId);
  const chat = await ctx.options.source.chat(businessId, chatId);
  if (!chat) throw new HttpError(404, 'NOT_FOUND', 'no such chat');
  return { agent, session, key: { businessId, chatId }, chat };
}

async function chat(ctx: ApiContext, request: FastifyRequest<{ Params: ChatParams }>) {
  const { key, chat } = await openChat(ctx, request);
  const assignee = await ctx.team.assignee(key);
  const audit = await ctx.team.auditOf(key, 50);
  return {
    chat: assignee === undefined ? chat : { ...chat, assignee },
    viewers: ctx.presence.viewers(key.businessId, key.chatId),
    audit,
    lastAuditId: audit[0]?.id ?? 0,
  };
}

async function history(ctx: ApiContext, request: FastifyRequest<{ Params: ChatParams }>) {
  const { key } = await openChat(ctx, request);
  const before = queryParam(request, 'before');
  const limit = Math.min(Number(queryParam(request, 'limit') ?? 500) || 500, 1000);
  const messages = await ctx.options.source.history(key.businessId, key.chatId, {
    limit,
    ...(before ? { beforeMessageId: parseId(before, 'before') } : {}),
  });
  return { messages };
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
  reply: FastifyReply,
  agent: Agent,
  key: ChatKey,
  fields: SendFields,
  content: ReplyContent,
) {
  const result = await ctx.desk.send({ ...key, ...fields, login: agent.login, content });
  return answerSend(reply, result);
}

async function sendText(ctx: ApiContext, request: ChatRequest<Record<string, unknown>>, reply: FastifyReply) {
  const { agent, key } = await openChat(ctx, request);
  const body = request.body;
  if (typeof body.text !== 'string') throw new HttpError(400, 'BAD_TEXT', 'text must be a string');
  refuseUnfilled(body.text);
  return deliver(ctx, reply, agent, key, sendFields(body), { text: body.text });
}

/** The file is the raw body (any type, up to FILE_MAX_BYTES); its name and the send fields travel in headers. */
async function sendFile(ctx: ApiContext, request: ChatRequest<Buffer | undefined>, reply: FastifyReply) {
  const { agent, key } = await openChat(ctx, request);
  const header = (name: string) => {
    const value = request.headers[name];
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
  const data = request.body;
  if (!data || data.length === 0) throw new HttpError(400, 'EMPTY_FILE', 'the file is empty');
  return deliver(ctx, reply, agent, key, fields, { file: { data, name } });
}

/** What became of a send the page lost the answer to (or is still settling). */
async function sendStatus(
  ctx: ApiContext,
  request: FastifyRequest<{ Params: ChatParams & { draftId: string } }>,
  reply: FastifyReply,
) {
  const { agent, key } = await openChat(ctx, request);
  return answerSend(reply, await ctx.desk.status(agent.login, key, request.params.draftId));
}

async function assign(ctx: ApiContext, request: ChatRequest<{ login?: unknown }>) {
  const { agent, key } = await openChat(ctx, request);
  const body = request.body;
  const login = body.login === null ? null : typeof body.login === 'string' ? body.login : undefined;
  if (login === undefined) throw new HttpError(400, 'BAD_LOGIN', 'login must be a string or null');
  if (login !== null) {
    const target = ctx.agentOf(login);
    if (!target?.businessIds.includes(key.businessId)) {
      throw new HttpError(400, 'BAD_LOGIN', 'no such agent for this business');
    }
  }
  await ctx.team.assign(key, login);
  await ctx.team.audit({ login: agent.login, action: 'assigned', ...key, detail: login ?? '' });
  ctx.bus.publish({ type: 'assigned', ...key, assignee: login, by: agent.login });
  return { assignee: login };
}

async function presence(ctx: ApiContext, request: ChatRequest<{ page: string; typing?: unknown }>) {
  const { agent, session, key } = await openChat(ctx, request);
  const body = request.body;
  ctx.presence.update(
    pageKey(session.id, body.page),
    { login: agent.login, name: agent.name },
    key,
    body.typing === true,
  );
  return { viewers: ctx.presence.viewers(key.businessId, key.chatId) };
}

async function download(
  ctx: ApiContext,
  request: FastifyRequest<{ Params: ChatParams }>,
  reply: FastifyReply,
) {
  const { key } = await openChat(ctx, request);
  const url = queryParam(request, 'url') ?? '';
  // Only an attachment of this very chat: the proxy is not a way to fetch arbitrary URLs with the credential.
  const file = await ctx.options.source.file(key.businessId, key.chatId, url);
  if (!file) throw new HttpError(404, 'NOT_FOUND', 'no such attachment in this chat');
  if (!ctx.options.fetchFile)
    throw new HttpError(501, 'NO_FETCHER', 'attachment downloads are not configured');
  return proxyFile(reply, file, ctx.options.fetchFile, key.businessId);
}

const OBJECT = { body: { type: 'object' } } as const;

export function chatRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.get<{ Params: ChatParams }>(CHAT, (request) => chat(ctx, request));
  api.get<{ Params: ChatParams }>(`${CHAT}/messages`, (request) => history(ctx, request));
  api.post<{ Params: ChatParams; Body: Record<string, unknown> }>(
    `${CHAT}/messages`,
    { schema: OBJECT },
    (request, reply) => sendText(ctx, request, reply),
  );
  // Its own context: the body is the file's bytes whatever its type, up to the file limit.
  api.register(async (files) => {
    files.removeAllContentTypeParsers();
    files.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: FILE_MAX_BYTES },
      (_request, body, done) => done(null, body),
    );
    files.post<{ Params: ChatParams; Body: Buffer | undefined }>(
      `${CHAT}/files`,
      { bodyLimit: FILE_MAX_BYTES },
      (request, reply) => sendFile(ctx, request, reply),
    );
  });
  api.get<{ Params: ChatParams & { draftId: string } }>(
    `${CHAT}/sends/:draftId(^[\\w-]{8,64}$)`,
    (request, reply) => sendStatus(ctx, request, reply),
  );
  api.post<{ Params: ChatParams; Body: { login?: unknown } }>(
    `${CHAT}/assign`,
    { schema: OBJECT },
    (request) => assign(ctx, request),
  );
  api.post<{ Params: ChatParams; Body: { page: string; typing?: unknown } }>(
    `${CHAT}/presence`,
    {
      schema: {
        body: {
          type: 'object',
          required: ['page'],
          properties: { page: { type: 'string', pattern: '^[\\w-]{8,64}$' } },
        },
      },
      config: { invalid: { page: ['BAD_PAGE', 'page must be the page id'] } },
    },
    (request) => presence(ctx, request),
  );
  api.get<{ Params: ChatParams }>(`${CHAT}/file`, (request, reply) => download(ctx, request, reply));
}

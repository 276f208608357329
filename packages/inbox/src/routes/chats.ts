import { proxyFile } from '../http/file-proxy.js';
import { HttpError, readBody, readJson, sendJson } from '../http/respond.js';
import { type ReplyContent, type SendOutcome, sendReply } from '../reply/send.js';
import { FILE_MAX_BYTES } from '../shared/limits.js';
import { pageKey } from '../team/presence.js';
import type { AuditAction } from '../team/team-store.js';
import type { ChatKey } from '../types.js';
import type { AgentRequest, ApiContext, RequestState, Route } from './api.js';
import { asAgent, checkBusiness, parseId } from './api.js';

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

interface SendRequest {
  clientId: string;
  seenMessageId: number;
  seenAuditId: number;
  confirmed: boolean;
}

/**
 * Someone replied since the agent last looked: a seller message in the store newer than what the page
 * showed, or a send through this inbox by another agent that the store may not have yet.
 */
async function repliedMeanwhile(ctx: ApiContext, request: AgentRequest, key: ChatKey, seen: SendRequest) {
  const recent = await ctx.options.source.history(key.businessId, key.chatId, { limit: 20 });
  const newer = recent.some((m) => m.sender === 'PARTNER' && m.messageId > seen.seenMessageId);
  const others = (await ctx.team.auditOf(key, 20)).filter(
    (e) =>
      e.id > seen.seenAuditId &&
      e.login !== request.agent.login &&
      (e.action === 'sent' || e.action === 'file_sent' || e.action === 'maybe_sent'),
  );
  if (!newer && others.length === 0) return undefined;
  return { by: [...new Set(others.map((e) => e.login))] };
}

async function deliver(
  ctx: ApiContext,
  request: AgentRequest,
  key: ChatKey,
  send: SendRequest,
  content: ReplyContent,
  describe: string,
) {
  if (!/^[\w-]{8,64}$/.test(send.clientId)) throw new HttpError(400, 'BAD_CLIENT_ID', 'clientId is missing');
  if (!send.confirmed) {
    const meanwhile = await repliedMeanwhile(ctx, request, key, send);
    if (meanwhile) {
      sendJson(request.res, 409, {
        error: { code: 'REPLIED_MEANWHILE', message: 'someone replied in this chat meanwhile' },
        ...meanwhile,
      });
      return;
    }
  }
  const { outcome, repeated } = ctx.ledger.once(`${request.agent.login}:${send.clientId}`, () =>
    sendReply(ctx.options.api, key, content),
  );
  const result: SendOutcome = await outcome;
  if (!repeated) {
    const action: AuditAction =
      result.state === 'sent'
        ? 'text' in content
          ? 'sent'
          : 'file_sent'
        : result.state === 'maybe_sent'
          ? 'maybe_sent'
          : 'send_failed';
    const entry = await ctx.team.audit({ login: request.agent.login, action, ...key, detail: describe });
    if (result.state !== 'failed') {
      // Replying takes the chat when nobody holds it.
      const before = await ctx.team.assignee(key);
      if (before === undefined && (await ctx.team.claim(key, request.agent.login))) {
        ctx.bus.publish({ type: 'assigned', ...key, assignee: request.agent.login, by: request.agent.login });
      }
      ctx.bus.publish({ type: 'sent', ...key, by: request.agent.login, auditId: entry.id });
    }
  }
  sendJson(request.res, 200, { ...result, repeated });
}

function sendFields(body: Record<string, unknown>): SendRequest {
  return {
    clientId: typeof body.clientId === 'string' ? body.clientId : '',
    seenMessageId: Number(body.seenMessageId) || 0,
    seenAuditId: Number(body.seenAuditId) || 0,
    confirmed: body.confirmed === true,
  };
}

async function sendText(ctx: ApiContext, state: RequestState, params: string[]) {
  const { request, key } = await openChat(ctx, state, params);
  const body = await readJson(state.req);
  if (typeof body.text !== 'string') throw new HttpError(400, 'BAD_TEXT', 'text must be a string');
  await deliver(ctx, request, key, sendFields(body), { text: body.text }, body.text);
}

/** The file is the raw body; its name and the send fields travel in headers. */
async function sendFile(ctx: ApiContext, state: RequestState, params: string[]) {
  const { request, key } = await openChat(ctx, state, params);
  const header = (name: string) => {
    const value = state.req.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  let name: string;
  try {
    name = decodeURIComponent(header('x-file-name') ?? '');
  } catch {
    throw new HttpError(400, 'BAD_FILE_NAME', 'X-File-Name is not URI-encoded');
  }
  if (!name || name.length > 255)
    throw new HttpError(400, 'BAD_FILE_NAME', 'X-File-Name is missing or too long');
  const data = await readBody(state.req, FILE_MAX_BYTES);
  if (data.length === 0) throw new HttpError(400, 'EMPTY_FILE', 'the file is empty');
  const send = sendFields({
    clientId: header('x-client-id'),
    seenMessageId: header('x-seen-message-id'),
    seenAuditId: header('x-seen-audit-id'),
    confirmed: header('x-confirmed') === 'true',
  });
  await deliver(ctx, request, key, send, { file: { data, name } }, `${name} (${data.length} B)`);
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
  { method: 'POST', pattern: new RegExp(`${CHAT}/assign$`), handle: assign },
  { method: 'POST', pattern: new RegExp(`${CHAT}/presence$`), handle: presence },
  { method: 'GET', pattern: new RegExp(`${CHAT}/file$`), handle: download },
];

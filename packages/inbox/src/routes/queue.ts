import { HttpError, readJson, sendJson } from '../http/respond.js';
import { openEventStream } from '../live/sse.js';
import { pageKey } from '../team/presence.js';
import type { ChatView, QueueCursor, QueueFilter } from '../types.js';
import type { ApiContext, RequestState, Route } from './context.js';
import { asAgent, checkBusiness, parseId } from './context.js';

const PAGE = 50;
const LIST = /^[A-Z_]{1,40}$/;

function list(url: URL, name: string): string[] | undefined {
  const raw = url.searchParams.get(name);
  if (!raw) return undefined;
  const values = raw.split(',');
  if (!values.every((v) => LIST.test(v)))
    throw new HttpError(400, 'BAD_FILTER', `${name} is not a list of names`);
  return values;
}

function encodeCursor(chat: ChatView): string {
  const cursor: QueueCursor = {
    waiting: chat.waitingSince !== undefined,
    at: chat.waitingSince ?? chat.updatedAt,
    chatId: chat.chatId,
  };
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string | null): QueueCursor | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<QueueCursor>;
    if (
      typeof value.waiting === 'boolean' &&
      typeof value.at === 'string' &&
      Number.isSafeInteger(value.chatId)
    ) {
      return value as QueueCursor;
    }
  } catch {
    // falls through to the 400
  }
  throw new HttpError(400, 'BAD_CURSOR', 'after is not a cursor this inbox made');
}

/** The agent's businesses, or the one asked for (which must be among them). */
function businesses(ctx: ApiContext, state: RequestState): number[] {
  const { agent, url } = asAgent(state);
  const one = url.searchParams.get('business');
  if (!one) return agent.businessIds;
  const id = parseId(one, 'business');
  checkBusiness(ctx, agent, id);
  return [id];
}

async function withAssignees(ctx: ApiContext, businessIds: number[], chats: ChatView[]) {
  const assigned = new Map(
    (await ctx.team.assignments(businessIds)).map((a) => [`${a.businessId}:${a.chatId}`, a.login]),
  );
  return chats.map((chat) => {
    const login = assigned.get(`${chat.businessId}:${chat.chatId}`);
    return login === undefined ? chat : { ...chat, assignee: login };
  });
}

async function queue(ctx: ApiContext, state: RequestState) {
  const { url } = state;
  const businessIds = businesses(ctx, state);
  const filter: QueueFilter = {};
  const statuses = list(url, 'status');
  const types = list(url, 'type');
  const contexts = list(url, 'context');
  if (statuses) filter.statuses = statuses;
  if (types) filter.types = types;
  if (contexts) filter.contexts = contexts;
  const assignee = url.searchParams.get('assignee');
  if (assignee !== null || url.searchParams.get('unassigned') === '1') {
    const assignments = await ctx.team.assignments(businessIds);
    if (assignee !== null) {
      const login = assignee === 'me' ? asAgent(state).agent.login : assignee;
      filter.onlyChats = assignments.filter((a) => a.login === login);
    } else {
      filter.exceptChats = assignments;
    }
  }
  const limit = Math.min(Number(url.searchParams.get('limit') ?? PAGE) || PAGE, 200);
  const after = decodeCursor(url.searchParams.get('after'));
  const chats = await ctx.options.source.queue({
    businessIds,
    filter,
    limit: limit + 1,
    ...(after ? { after } : {}),
  });
  const page = chats.slice(0, limit);
  const last = page[page.length - 1];
  sendJson(state.res, 200, {
    chats: await withAssignees(ctx, businessIds, page),
    next: chats.length > limit && last ? encodeCursor(last) : null,
    serverTime: new Date().toISOString(),
  });
}

async function search(ctx: ApiContext, state: RequestState) {
  const q = (state.url.searchParams.get('q') ?? '').trim();
  if (q.length === 0) throw new HttpError(400, 'EMPTY_QUERY', 'q is empty');
  if (q.length > 200) throw new HttpError(400, 'QUERY_TOO_LONG', 'q is over 200 characters');
  const businessIds = businesses(ctx, state);
  const hits = await ctx.options.source.search(businessIds, q, 50);
  const chats = await withAssignees(
    ctx,
    businessIds,
    hits.map((h) => h.chat),
  );
  sendJson(state.res, 200, { hits: hits.map((h, i) => ({ ...h, chat: chats[i] })) });
}

async function events(ctx: ApiContext, state: RequestState) {
  const { agent, res, url, session } = asAgent(state);
  const page = url.searchParams.get('page');
  const stream = openEventStream(res, agent, ctx.bus, {
    stillValid: async () => (await ctx.sessions.get(session.id))?.login === session.login,
    checkMs: ctx.streamCheckMs,
    onClose: () => {
      ctx.streams.delete(session.id, stream);
      if (page) ctx.presence.leave(pageKey(session.id, page), agent);
    },
  });
  ctx.streams.add(session.id, stream);
}

/** The page left every chat (closed, or went back to the queue). */
async function leave(ctx: ApiContext, state: RequestState) {
  const body = await readJson(state.req);
  const { session, agent } = asAgent(state);
  if (typeof body.page === 'string') ctx.presence.leave(pageKey(session.id, body.page), agent);
  sendJson(state.res, 200, { ok: true });
}

export const queueRoutes: Route[] = [
  { method: 'GET', pattern: /^\/api\/queue$/, handle: queue },
  { method: 'GET', pattern: /^\/api\/search$/, handle: search },
  { method: 'GET', pattern: /^\/api\/events$/, handle: events },
  { method: 'POST', pattern: /^\/api\/presence\/leave$/, handle: leave },
];

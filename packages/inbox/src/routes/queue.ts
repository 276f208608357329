import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../http/respond.js';
import { QueueCountsCache, SharedRead } from '../live/queue-counts.js';
import { LiveRows } from '../live/rows.js';
import { openEventStream } from '../live/sse.js';
import { pageKey } from '../team/presence.js';
import type { ChatView, QueueCursor, QueueFilter } from '../types.js';
import type { ApiContext } from './context.js';
import { checkBusiness, parseId, queryParam, signedIn } from './context.js';

const PAGE = 50;
const LIST = /^[A-Z_]{1,40}$/;

function list(request: FastifyRequest, name: string): string[] | undefined {
  const raw = queryParam(request, name);
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

function decodeCursor(text: string | undefined): QueueCursor | undefined {
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
function businesses(ctx: ApiContext, request: FastifyRequest): number[] {
  const { agent } = signedIn(request);
  const one = queryParam(request, 'business');
  if (!one) return agent.businessIds;
  const id = parseId(one, 'business');
  checkBusiness(ctx, agent, id);
  return [id];
}

/**
 * The shown chats' assignees: one indexed lookup per chat. Not every assignment of the businesses, which
 * grow with every chat ever answered (replying assigns it): at 50 000 of them that read took 210 ms per
 * page on SQLite, the 50 lookups 0.4 ms.
 */
async function withAssignees(ctx: ApiContext, chats: ChatView[]) {
  const logins = await Promise.all(
    chats.map((chat) => ctx.team.assignee({ businessId: chat.businessId, chatId: chat.chatId })),
  );
  return chats.map((chat, i) => {
    const login = logins[i];
    return login === undefined ? chat : { ...chat, assignee: login };
  });
}

async function queue(ctx: ApiContext, request: FastifyRequest) {
  const businessIds = businesses(ctx, request);
  const filter: QueueFilter = {};
  const statuses = list(request, 'status');
  const types = list(request, 'type');
  const contexts = list(request, 'context');
  if (statuses) filter.statuses = statuses;
  if (types) filter.types = types;
  if (contexts) filter.contexts = contexts;
  const assignee = queryParam(request, 'assignee');
  if (assignee !== undefined || queryParam(request, 'unassigned') === '1') {
    const assignments = await ctx.team.assignments(businessIds);
    if (assignee !== undefined) {
      const login = assignee === 'me' ? signedIn(request).agent.login : assignee;
      filter.onlyChats = assignments.filter((a) => a.login === login);
    } else {
      filter.exceptChats = assignments;
    }
  }
  const limit = Math.min(Number(queryParam(request, 'limit') ?? PAGE) || PAGE, 200);
  const after = decodeCursor(queryParam(request, 'after'));
  const chats = await ctx.options.source.queue({
    businessIds,
    filter,
    limit: limit + 1,
    ...(after ? { after } : {}),
  });
  const page = chats.slice(0, limit);
  const last = page[page.length - 1];
  return {
    chats: await withAssignees(ctx, page),
    next: chats.length > limit && last ? encodeCursor(last) : null,
    serverTime: new Date().toISOString(),
  };
}

/**
 * The filter bar's counts in one request: chats per status, type and context (the store's index counts),
 * per assignee and unassigned (the team's assignments), over the agent's businesses (or the one asked for).
 */
/** Chats per assignee and how many are assigned at all: the assignee filter's counts. */
interface AssigneeTally {
  assignees: Record<string, number>;
  assigned: number;
}

async function tallyAssignees(ctx: ApiContext, businessIds: number[]): Promise<AssigneeTally> {
  const assignments = await ctx.team.assignments(businessIds);
  const assignees: Record<string, number> = {};
  for (const a of assignments) assignees[a.login] = (assignees[a.login] ?? 0) + 1;
  return { assignees, assigned: assignments.length };
}

async function counts(
  ctx: ApiContext,
  request: FastifyRequest,
  cache: { values: QueueCountsCache; assignees: SharedRead<AssigneeTally> } | undefined,
) {
  const businessIds = businesses(ctx, request);
  if (!cache) throw new HttpError(404, 'NO_COUNTS', 'this inbox source does not count its queue');
  const [byValue, tally] = await Promise.all([
    cache.values.counts(businessIds),
    cache.assignees.get(businessIds),
  ]);
  return {
    ...byValue,
    assignees: tally.assignees,
    unassigned: Math.max(0, byValue.total - tally.assigned),
  };
}

async function search(ctx: ApiContext, request: FastifyRequest) {
  const q = (queryParam(request, 'q') ?? '').trim();
  if (q.length === 0) throw new HttpError(400, 'EMPTY_QUERY', 'q is empty');
  if (q.length > 200) throw new HttpError(400, 'QUERY_TOO_LONG', 'q is over 200 characters');
  const offsetParam = queryParam(request, 'offset') ?? '0';
  if (!/^\d{1,6}$/.test(offsetParam)) {
    throw new HttpError(400, 'BAD_OFFSET', 'offset must be a whole number of chats to skip, e.g. offset=50');
  }
  const businessIds = businesses(ctx, request);
  // One hit per chat, best first, and how many chats were found in all.
  const { hits, total, capped } = await ctx.options.source.searchChats(businessIds, q, {
    limit: 50,
    offset: Number(offsetParam),
  });
  const chats = await withAssignees(
    ctx,
    hits.map((h) => h.chat),
  );
  return { hits: hits.map((h, i) => ({ ...h, chat: chats[i] })), total, ...(capped ? { capped } : {}) };
}

export function queueRoutes(api: FastifyInstance, ctx: ApiContext): void {
  // One per inbox: every stream of this process shares each event's row read.
  const rows = new LiveRows(ctx.options.source, ctx.team, (error) => ctx.options.onError?.(error));
  api.get('/api/queue', (request) => queue(ctx, request));
  const { statusCounts, kindCounts } = ctx.options.source;
  // The assignments are read whole (every assigned chat of the businesses): once a second per process
  // for every page's counts, as the statuses.
  const cache =
    statusCounts && kindCounts
      ? {
          values: new QueueCountsCache({
            statusCounts: (ids) => statusCounts.call(ctx.options.source, ids),
            kindCounts: (ids) => kindCounts.call(ctx.options.source, ids),
          }),
          assignees: new SharedRead((ids) => tallyAssignees(ctx, ids), 1000),
        }
      : undefined;
  api.get('/api/queue/counts', (request) => counts(ctx, request, cache));
  api.get('/api/search', (request) => search(ctx, request));

  api.get('/api/events', async (request, reply) => {
    const { agent, session } = signedIn(request);
    const page = queryParam(request, 'page');
    const stream = openEventStream(reply, agent, ctx.bus, {
      stillValid: async () => (await ctx.sessions.get(session.id))?.login === session.login,
      checkMs: ctx.streamCheckMs,
      rows,
      onClose: () => {
        ctx.streams.delete(session.id, stream);
        if (page) ctx.presence.leave(pageKey(session.id, page), agent);
      },
    });
    ctx.streams.add(session.id, stream);
  });

  /** The page left every chat (closed, or went back to the queue). */
  api.post<{ Body: { page?: unknown } }>(
    '/api/presence/leave',
    { schema: { body: { type: 'object' } } },
    async (request) => {
      const { session, agent } = signedIn(request);
      const { page } = request.body;
      if (typeof page === 'string') ctx.presence.leave(pageKey(session.id, page), agent);
      return { ok: true };
    },
  );
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Agent, type AgentConfig, canSee } from '../auth/agents.js';
import type { LoginLimiter } from '../auth/login-limiter.js';
import { type Session, type SessionStore, sameToken } from '../auth/sessions.js';
import { requestHost } from '../http/client-address.js';
import { notServedReply } from '../http/not-served.js';
import { HttpError, parseCookies } from '../http/respond.js';
import type { InboxOptions } from '../inbox.js';
import type { LiveBus } from '../live/bus.js';
import type { OpenStreams } from '../live/open-streams.js';
import type { ReplyDesk } from '../reply/desk.js';
import type { BusinessHours } from '../shared/business-hours.js';
import type { Presence } from '../team/presence.js';
import type { TeamStore } from '../team/team-store.js';
import type { Template } from '../team/templates.js';
import { authRoutes } from './auth.js';
import { chatRoutes } from './chats.js';
import { queueRoutes } from './queue.js';

/** Everything a route needs, built once by `createInbox`. */
export interface ApiContext {
  options: InboxOptions;
  agents: Map<string, AgentConfig>;
  local: Agent | undefined;
  sessions: SessionStore;
  limiter: LoginLimiter;
  team: TeamStore;
  bus: LiveBus;
  presence: Presence;
  desk: ReplyDesk;
  templates: Template[];
  targetMs: number;
  refreshMs: number;
  /** How often an open event stream re-checks its session. */
  streamCheckMs: number;
  streams: OpenStreams;
  businessHours: BusinessHours | undefined;
  agentOf(login: string | undefined): Agent | undefined;
}

export interface RequestState {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  session: Session | undefined;
}

/** A request from a logged-in agent. */
export interface AgentRequest extends RequestState {
  session: Session;
  agent: Agent;
}

export type Route = {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** Routes that answer without a logged-in agent (the session and login themselves). */
  anonymous?: boolean;
  handle(ctx: ApiContext, state: RequestState, params: string[]): Promise<void>;
};

export const SESSION_COOKIE = 'ymc_session';

const ROUTES: Route[] = [...authRoutes, ...queueRoutes, ...chatRoutes];

export async function routeApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  const path = url.pathname;
  let allowed = false;
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    allowed = true;
    if (route.method !== req.method) continue;
    const session = await ctx.sessions.get(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
    if (req.method !== 'GET') checkCsrf(req, session, requestHost(req, ctx.options.trustProxy === true));
    const state: RequestState = { req, res, url, session };
    if (!route.anonymous) requireAgent(ctx, state);
    await route.handle(ctx, state, match.slice(1));
    return;
  }
  if (allowed) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
  throw new HttpError(404, 'NOT_FOUND', 'no such API route');
}

/**
 * Every write carries the session's token in `X-CSRF-Token` (a header a cross-site form cannot set), and
 * a browser's `Origin`, when sent, must be this host.
 */
function checkCsrf(
  req: IncomingMessage,
  session: Session | undefined,
  expectedHost: string | undefined,
): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== expectedHost) throw new HttpError(403, 'CSRF', 'cross-origin write refused');
  }
  const given = req.headers['x-csrf-token'];
  if (!session || typeof given !== 'string' || !sameToken(session.csrf, given)) {
    throw new HttpError(403, 'CSRF', 'missing or wrong CSRF token; reload the page');
  }
}

function requireAgent(ctx: ApiContext, state: RequestState): asserts state is AgentRequest {
  const agent = ctx.agentOf(state.session?.login);
  if (!agent) throw new HttpError(401, 'UNAUTHENTICATED', 'log in first');
  (state as AgentRequest).agent = agent;
}

export function asAgent(state: RequestState): AgentRequest {
  return state as AgentRequest;
}

/** A positive decimal id from the path or query, within the safe integer range. */
export function parseId(text: string | null | undefined, name: string): number {
  if (text == null || !/^[1-9]\d{0,15}$/.test(text))
    throw new HttpError(400, 'BAD_ID', `${name} is not an id`);
  const id = Number(text);
  if (!Number.isSafeInteger(id)) throw new HttpError(400, 'BAD_ID', `${name} is out of range`);
  return id;
}

/** 403 when the agent does not serve this business (another seller's chats stay invisible). */
export function checkBusiness(ctx: ApiContext, agent: Agent, businessId: number): void {
  if (canSee(agent, businessId)) return;
  // A business of theirs that the inbox no longer serves (removed while it runs) is named as such; anyone
  // else learns nothing about another seller's business.
  const theirs =
    agent === ctx.local || ctx.agents.get(agent.login)?.businessIds.includes(businessId) === true;
  if (theirs) {
    throw notServedReply(businessId);
  }
  throw new HttpError(403, 'FORBIDDEN', 'this business is not yours');
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Agent, type AgentConfig, canSee } from '../auth/agents.js';
import { isLoginFormToken, LOGIN_FORM_COOKIE } from '../auth/login-form.js';
import type { LoginLimiter } from '../auth/login-limiter.js';
import type { LoginLinks } from '../auth/login-links.js';
import { SESSION_COOKIE, type Session, type SessionStore, sameToken } from '../auth/sessions.js';
import type { Signer } from '../auth/signing.js';
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
  /** Signs the login form's CSRF tokens and device tokens with the database's secret. */
  signer: Signer;
  links: LoginLinks;
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

const ROUTES: Route[] = [...authRoutes, ...queueRoutes, ...chatRoutes];

export async function routeApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  const path = url.pathname;
  let allowed = false;
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    allowed = true;
    if (route.method !== req.method) continue;
    const cookies = parseCookies(req.headers.cookie);
    const session = await ctx.sessions.get(cookies.get(SESSION_COOKIE));
    if (req.method !== 'GET') await checkCsrf(ctx, req, session, cookies);
    const state: RequestState = { req, res, url, session };
    if (!route.anonymous) requireAgent(ctx, state);
    await route.handle(ctx, state, match.slice(1));
    return;
  }
  if (allowed) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
  throw new HttpError(404, 'NOT_FOUND', 'no such API route');
}

/**
 * Every write carries a token in `X-CSRF-Token` (a header a cross-site form cannot set) — the session's,
 * or before a login the login form's, signed for this browser's cookie — and a browser's `Origin`, when
 * sent, must be this host.
 */
async function checkCsrf(
  ctx: ApiContext,
  req: IncomingMessage,
  session: Session | undefined,
  cookies: Map<string, string>,
): Promise<void> {
  const expectedHost = requestHost(req, ctx.options.trustProxy === true);
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
  const valid =
    typeof given === 'string' &&
    (session
      ? sameToken(session.csrf, given)
      : await isLoginFormToken(ctx.signer, cookies.get(LOGIN_FORM_COOKIE), given, Date.now()));
  if (!valid) {
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

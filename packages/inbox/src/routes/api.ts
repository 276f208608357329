import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestHost } from '@ym-chats/sdk';
import { isLoginFormToken, LOGIN_FORM_COOKIE } from '../auth/login-form.js';
import { SESSION_COOKIE, type Session, sameToken } from '../auth/sessions.js';
import { HttpError, parseCookies } from '../http/respond.js';
import { authRoutes } from './auth.js';
import { chatRoutes } from './chats.js';
import type { AgentRequest, ApiContext, RequestState, Route } from './context.js';
import { draftRoutes } from './drafts.js';
import { queueRoutes } from './queue.js';

const ROUTES: Route[] = [...authRoutes, ...queueRoutes, ...chatRoutes, ...draftRoutes];

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
  const expectedHost = requestHost(req, ctx.options.trustProxy);
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

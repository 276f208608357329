import type { ServerResponse } from 'node:http';
import { isDirectLocal } from '../auth/agents.js';
import { decoyHash, verifyPassword } from '../auth/password.js';
import type { Session } from '../auth/sessions.js';
import { clientAddress } from '../http/client-address.js';
import { HttpError, readJson, sendJson } from '../http/respond.js';
import type { ApiContext, RequestState, Route } from './api.js';
import { asAgent, SESSION_COOKIE } from './api.js';

function setSessionCookie(ctx: ApiContext, res: ServerResponse, session: Session | undefined): void {
  const secure = ctx.options.secureCookies === false ? '' : '; Secure';
  const value = session ? session.id : '';
  const expiry = session ? '' : '; Max-Age=0';
  res.setHeader(
    'Set-Cookie',
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict${secure}${expiry}`,
  );
}

/** What the page learns at start: who it is (if anyone), the CSRF token, and the inbox's settings. */
function describe(ctx: ApiContext, state: RequestState, session: Session) {
  const agent = ctx.agentOf(session.login);
  return {
    csrf: session.csrf,
    loginRequired: ctx.local === undefined || !isDirectLocal(state.req),
    agent: agent ?? null,
    firstReplyTargetMs: ctx.targetMs,
    refreshMs: ctx.refreshMs,
    businessHours: ctx.businessHours ?? null,
    templates: agent ? ctx.templates : [],
    agents: agent ? teammates(ctx, agent.businessIds) : [],
  };
}

function teammates(ctx: ApiContext, businessIds: number[]) {
  if (ctx.local) return [{ login: ctx.local.login, name: ctx.local.name }];
  return [...ctx.agents.values()]
    .filter((a) => a.businessIds.some((b) => businessIds.includes(b)))
    .map((a) => ({ login: a.login, name: a.name ?? a.login }));
}

async function session(ctx: ApiContext, state: RequestState) {
  let current = state.session;
  if (!current) {
    // Sessions anyone can get are capped, oldest first: another site's page (an <img> pointing here) must
    // not make them, or any page the seller visits could push the local user's session out. Browsers say
    // where a request comes from; the inbox's own page asks same-origin.
    const site = state.req.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      throw new HttpError(403, 'CROSS_SITE', 'sessions are made for the inbox page only');
    }
    // The local user is logged in by being here; everyone else starts anonymous, holding a CSRF token.
    const local = isDirectLocal(state.req) ? ctx.local : undefined;
    current = local
      ? await ctx.sessions.create('local', local.login)
      : await ctx.sessions.create('anonymous');
    setSessionCookie(ctx, state.res, current);
  }
  sendJson(state.res, 200, describe(ctx, state, current));
}

async function login(ctx: ApiContext, state: RequestState) {
  const body = await readJson(state.req);
  const name = typeof body.login === 'string' ? body.login.slice(0, 200) : '';
  const password = typeof body.password === 'string' ? body.password.slice(0, 1000) : '';
  const address = clientAddress(state.req, ctx.options.trustProxy === true);
  // Counted as a failure before the password is checked, taken back if it was right.
  const attempt = await ctx.limiter.begin(name, address);
  const wait = attempt.retryAfter;
  if (wait > 0) {
    throw new HttpError(429, 'TOO_MANY_ATTEMPTS', `too many failed logins; try again in ${wait} s`, {
      'Retry-After': String(wait),
    });
  }
  const config = ctx.agents.get(name);
  const ok = await verifyPassword(password, config?.passwordHash ?? (await decoyHash()));
  if (!config || !ok) throw new HttpError(401, 'BAD_LOGIN', 'wrong login or password');
  await ctx.limiter.succeed(name, address, attempt);
  const upgraded = await ctx.sessions.upgrade(state.session, config.login);
  setSessionCookie(ctx, state.res, upgraded);
  await ctx.team.audit({ login: config.login, action: 'login' });
  sendJson(state.res, 200, describe(ctx, state, upgraded));
}

async function logout(ctx: ApiContext, state: RequestState) {
  const { session, agent } = asAgent(state);
  await ctx.sessions.destroy(session.id);
  // This process's streams of the session end now; other processes' at their next check.
  ctx.streams.end(session.id);
  await ctx.team.audit({ login: agent.login, action: 'logout' });
  setSessionCookie(ctx, state.res, undefined);
  sendJson(state.res, 200, { ok: true });
}

export const authRoutes: Route[] = [
  { method: 'GET', pattern: /^\/api\/session$/, anonymous: true, handle: session },
  { method: 'POST', pattern: /^\/api\/login$/, anonymous: true, handle: login },
  { method: 'POST', pattern: /^\/api\/logout$/, handle: logout },
];

import type { ServerResponse } from 'node:http';
import { clientAddress } from '@ym-chats/sdk';
import { isDirectLocal } from '../auth/agents.js';
import { DEVICE_MAX_AGE_MS, deviceCookieName, deviceOf, deviceToken } from '../auth/device-token.js';
import { LOGIN_FORM_COOKIE, LOGIN_FORM_MAX_AGE_MS, loginFormToken } from '../auth/login-form.js';
import { decoyHash, verifyPassword } from '../auth/password.js';
import { SESSION_COOKIE } from '../auth/sessions.js';
import { HttpError, parseCookies, readJson, sendJson } from '../http/respond.js';
import type { ApiContext, RequestState, Route } from './context.js';
import { asAgent } from './context.js';

/**
 * The cookies the inbox sets. The session goes with every request; the login form's value with the API
 * (GET /api/session reuses it, so a second tab keeps the first tab's token good); the device token only
 * with the login routes, the one place it is read.
 */
const COOKIES = {
  session: { name: SESSION_COOKIE, path: '/', maxAgeMs: undefined },
  loginForm: { name: LOGIN_FORM_COOKIE, path: '/api/', maxAgeMs: LOGIN_FORM_MAX_AGE_MS },
  device: (login: string) => ({
    name: deviceCookieName(login),
    path: '/api/login',
    maxAgeMs: DEVICE_MAX_AGE_MS,
  }),
} as const;

/** Adds a cookie to the response (`undefined`: clears it), beside any set before. */
function setCookie(
  ctx: ApiContext,
  res: ServerResponse,
  cookie: { name: string; path: string; maxAgeMs: number | undefined },
  value: string | undefined,
): void {
  const secure = ctx.options.secureCookies === false ? '' : '; Secure';
  const age =
    value === undefined
      ? '; Max-Age=0'
      : cookie.maxAgeMs === undefined
        ? ''
        : `; Max-Age=${Math.floor(cookie.maxAgeMs / 1000)}`;
  const line = `${cookie.name}=${value ?? ''}; Path=${cookie.path}; HttpOnly; SameSite=Strict${secure}${age}`;
  const before = res.getHeader('Set-Cookie');
  const lines = before === undefined ? [] : Array.isArray(before) ? before : [String(before)];
  res.setHeader('Set-Cookie', [...lines, line]);
}

/** What the page learns at start: who it is (if anyone), the CSRF token, and the inbox's settings. */
function describe(ctx: ApiContext, state: RequestState, csrf: string, login: string | undefined) {
  const agent = ctx.agentOf(login);
  return {
    csrf,
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
  const current = state.session;
  if (current) {
    sendJson(state.res, 200, describe(ctx, state, current.csrf, current.login));
    return;
  }
  // Local sessions are capped, oldest first: another site's page (an <img> pointing here) must not make
  // them, or any page the seller visits could push the local user's session out. Browsers say where a
  // request comes from; the inbox's own page asks same-origin.
  const site = state.req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    throw new HttpError(403, 'CROSS_SITE', 'sessions are made for the inbox page only');
  }
  // The local user is logged in by being here.
  const local = isDirectLocal(state.req) ? ctx.local : undefined;
  if (local) {
    const made = await ctx.sessions.create('local', local.login);
    setCookie(ctx, state.res, COOKIES.session, made.id);
    sendJson(state.res, 200, describe(ctx, state, made.csrf, made.login));
    return;
  }
  // Everyone else gets the login form's token, and nothing is stored for them.
  const form = await loginFormToken(
    ctx.signer,
    parseCookies(state.req.headers.cookie).get(LOGIN_FORM_COOKIE),
    Date.now(),
  );
  setCookie(ctx, state.res, COOKIES.loginForm, form.cookie);
  sendJson(state.res, 200, describe(ctx, state, form.token, undefined));
}

/** A login made (password or link): a new session (no fixation), a renewed device token, the audit line. */
async function loggedIn(ctx: ApiContext, state: RequestState, login: string, how: 'password' | 'link') {
  const made = await ctx.sessions.upgrade(state.session, login);
  setCookie(ctx, state.res, COOKIES.session, made.id);
  setCookie(ctx, state.res, COOKIES.device(login), await deviceToken(ctx.signer, login, Date.now()));
  await ctx.team.audit({ login, action: 'login', ...(how === 'link' ? { detail: 'login link' } : {}) });
  sendJson(state.res, 200, describe(ctx, state, made.csrf, made.login));
}

async function login(ctx: ApiContext, state: RequestState) {
  const body = await readJson(state.req);
  const name = typeof body.login === 'string' ? body.login.slice(0, 200) : '';
  const password = typeof body.password === 'string' ? body.password.slice(0, 1000) : '';
  const address = clientAddress(state.req, ctx.options.trustProxy);
  // A browser that logged in as `name` before is limited on its own (login-limiter.ts).
  const device = await deviceOf(
    ctx.signer,
    parseCookies(state.req.headers.cookie).get(deviceCookieName(name)),
    name,
    Date.now(),
  );
  // Counted as a failure before the password is checked, taken back if it was right.
  const attempt = await ctx.limiter.begin(name, address, device);
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
  await loggedIn(ctx, state, config.login, 'password');
}

/**
 * A one-time link from `ym-chats agents link LOGIN`: the page posts the token from the link's fragment
 * (never a GET that logs in: link previewers and scanners fetch URLs, and would use the link up).
 */
async function loginLink(ctx: ApiContext, state: RequestState) {
  const body = await readJson(state.req);
  const token = typeof body.token === 'string' ? body.token.slice(0, 100) : '';
  const name = await ctx.links.redeem(token);
  const config = name === undefined ? undefined : ctx.agents.get(name);
  if (!config) {
    throw new HttpError(
      401,
      'BAD_LINK',
      'this login link is unknown, used or expired; make a new one with ym-chats agents link LOGIN',
    );
  }
  await ctx.limiter.succeed(config.login, clientAddress(state.req, ctx.options.trustProxy));
  await loggedIn(ctx, state, config.login, 'link');
}

async function logout(ctx: ApiContext, state: RequestState) {
  const { session, agent } = asAgent(state);
  await ctx.sessions.destroy(session.id);
  // This process's streams of the session end now; other processes' at their next check.
  ctx.streams.end(session.id);
  await ctx.team.audit({ login: agent.login, action: 'logout' });
  // The device token stays: this browser remains one the agent has used.
  setCookie(ctx, state.res, COOKIES.session, undefined);
  sendJson(state.res, 200, { ok: true });
}

export const authRoutes: Route[] = [
  { method: 'GET', pattern: /^\/api\/session$/, anonymous: true, handle: session },
  { method: 'POST', pattern: /^\/api\/login$/, anonymous: true, handle: login },
  { method: 'POST', pattern: /^\/api\/login\/link$/, anonymous: true, handle: loginLink },
  { method: 'POST', pattern: /^\/api\/logout$/, handle: logout },
];

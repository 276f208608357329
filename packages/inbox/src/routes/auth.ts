import type { CookieSerializeOptions } from '@fastify/cookie';
import { clientAddress } from '@ym-chats/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDirectLocal } from '../auth/agents.js';
import { DEVICE_MAX_AGE_MS, deviceCookieName, deviceOf, deviceToken } from '../auth/device-token.js';
import { LOGIN_FORM_COOKIE, LOGIN_FORM_MAX_AGE_MS, loginFormToken } from '../auth/login-form.js';
import { decoyHash, verifyPassword } from '../auth/password.js';
import { SESSION_COOKIE } from '../auth/sessions.js';
import { HttpError } from '../http/respond.js';
import type { ApiContext } from './context.js';
import { signedIn } from './context.js';

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

/** Sets a cookie on the reply (`undefined`: clears it), beside any set before (`@fastify/cookie`). */
function setCookie(
  ctx: ApiContext,
  reply: FastifyReply,
  cookie: { name: string; path: string; maxAgeMs: number | undefined },
  value: string | undefined,
): void {
  const options: CookieSerializeOptions = {
    path: cookie.path,
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.options.secureCookies !== false,
  };
  if (value === undefined) reply.setCookie(cookie.name, '', { ...options, maxAge: 0 });
  else {
    reply.setCookie(cookie.name, value, {
      ...options,
      ...(cookie.maxAgeMs === undefined ? {} : { maxAge: Math.floor(cookie.maxAgeMs / 1000) }),
    });
  }
}

/** What the page learns at start: who it is (if anyone), the CSRF token, and the inbox's settings. */
function describe(ctx: ApiContext, request: FastifyRequest, csrf: string, login: string | undefined) {
  const agent = ctx.agentOf(login);
  return {
    csrf,
    loginRequired: ctx.local === undefined || !isDirectLocal(request.raw),
    agent: agent ?? null,
    firstReplyTargetMs: ctx.targetMs,
    refreshMs: ctx.refreshMs,
    businessHours: ctx.businessHours ?? null,
    agents: agent ? teammates(ctx, agent.businessIds) : [],
  };
}

function teammates(ctx: ApiContext, businessIds: number[]) {
  if (ctx.local) return [{ login: ctx.local.login, name: ctx.local.name }];
  return [...ctx.agents.values()]
    .filter((a) => a.businessIds.some((b) => businessIds.includes(b)))
    .map((a) => ({ login: a.login, name: a.name ?? a.login }));
}

async function session(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply) {
  const current = request.session;
  if (current) return describe(ctx, request, current.csrf, current.login);
  // Local sessions are capped, oldest first: another site's page (an <img> pointing here) must not make
  // them, or any page the seller visits could push the local user's session out. Browsers say where a
  // request comes from; the inbox's own page asks same-origin.
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    throw new HttpError(403, 'CROSS_SITE', 'sessions are made for the inbox page only');
  }
  // The local user is logged in by being here.
  const local = isDirectLocal(request.raw) ? ctx.local : undefined;
  if (local) {
    const made = await ctx.sessions.create('local', local.login);
    setCookie(ctx, reply, COOKIES.session, made.id);
    return describe(ctx, request, made.csrf, made.login);
  }
  // Everyone else gets the login form's token, and nothing is stored for them.
  const form = await loginFormToken(ctx.signer, request.cookies[LOGIN_FORM_COOKIE], Date.now());
  setCookie(ctx, reply, COOKIES.loginForm, form.cookie);
  return describe(ctx, request, form.token, undefined);
}

/** A login made (password or link): a new session (no fixation), a renewed device token, the audit line. */
async function loggedIn(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  login: string,
  how: 'password' | 'link',
) {
  const made = await ctx.sessions.upgrade(request.session, login);
  setCookie(ctx, reply, COOKIES.session, made.id);
  setCookie(ctx, reply, COOKIES.device(login), await deviceToken(ctx.signer, login, Date.now()));
  await ctx.team.audit({ login, action: 'login', ...(how === 'link' ? { detail: 'login link' } : {}) });
  return describe(ctx, request, made.csrf, made.login);
}

interface LoginBody {
  login?: unknown;
  password?: unknown;
}

async function login(ctx: ApiContext, request: FastifyRequest<{ Body: LoginBody }>, reply: FastifyReply) {
  const body = request.body;
  const name = typeof body.login === 'string' ? body.login.slice(0, 200) : '';
  const password = typeof body.password === 'string' ? body.password.slice(0, 1000) : '';
  const address = clientAddress(request.raw, ctx.options.trustProxy);
  // A browser that logged in as `name` before is limited on its own (login-limiter.ts).
  const device = await deviceOf(ctx.signer, request.cookies[deviceCookieName(name)], name, Date.now());
  // Counted as a failure before the password is checked, taken back if it was right.
  const attempt = await ctx.limiter.begin(name, address, device);
  const wait = attempt.retryAfter;
  if (wait > 0) {
    throw new HttpError(429, 'TOO_MANY_ATTEMPTS', `too many failed logins; try again in ${wait} s`, {
      'Retry-After': String(wait),
    });
  }
  const config = await ctx.directory.find(name);
  const ok = await verifyPassword(password, config?.passwordHash ?? (await decoyHash()));
  if (!config || !ok) throw new HttpError(401, 'BAD_LOGIN', 'wrong login or password');
  await ctx.limiter.succeed(name, address, attempt);
  return loggedIn(ctx, request, reply, config.login, 'password');
}

/**
 * A one-time link from `ym-chats agents link LOGIN`: the page posts the token from the link's fragment
 * (never a GET that logs in: link previewers and scanners fetch URLs, and would use the link up).
 */
async function loginLink(
  ctx: ApiContext,
  request: FastifyRequest<{ Body: { token?: unknown } }>,
  reply: FastifyReply,
) {
  const body = request.body;
  const token = typeof body.token === 'string' ? body.token.slice(0, 100) : '';
  const name = await ctx.links.redeem(token);
  const config = name === undefined ? undefined : await ctx.directory.find(name);
  if (!config) {
    throw new HttpError(
      401,
      'BAD_LINK',
      'this login link is unknown, used or expired; make a new one with ym-chats agents link LOGIN',
    );
  }
  await ctx.limiter.succeed(config.login, clientAddress(request.raw, ctx.options.trustProxy));
  return loggedIn(ctx, request, reply, config.login, 'link');
}

async function logout(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply) {
  const { session, agent } = signedIn(request);
  await ctx.sessions.destroy(session.id);
  // This process's streams of the session end now; other processes' at their next check.
  ctx.streams.end(session.id);
  await ctx.team.audit({ login: agent.login, action: 'logout' });
  // The device token stays: this browser remains one the agent has used.
  setCookie(ctx, reply, COOKIES.session, undefined);
  return { ok: true };
}

const OBJECT = { body: { type: 'object' } } as const;

export function authRoutes(api: FastifyInstance, ctx: ApiContext): void {
  const anonymous = { anonymous: true };
  api.get('/api/session', { config: anonymous }, (request, reply) => session(ctx, request, reply));
  api.post<{ Body: LoginBody }>('/api/login', { config: anonymous, schema: OBJECT }, (request, reply) =>
    login(ctx, request, reply),
  );
  api.post<{ Body: { token?: unknown } }>(
    '/api/login/link',
    { config: anonymous, schema: OBJECT },
    (request, reply) => loginLink(ctx, request, reply),
  );
  api.post('/api/logout', (request, reply) => logout(ctx, request, reply));
}

/**
 * The API (`/api/…`) as one Fastify plugin: the routes of `auth`, `queue`, `chats` and `drafts`, behind
 * one `onRequest` hook that reads the session from its cookie (`@fastify/cookie`), checks CSRF on every
 * write and requires a logged-in agent (but on `anonymous` routes). The hook runs before the body is read,
 * so a refused request costs no parsing, as it did before Fastify.
 */
import fastifyCookie from '@fastify/cookie';
import { requestHost } from '@ym-chats/sdk';
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import { isLoginFormToken, LOGIN_FORM_COOKIE } from '../auth/login-form.js';
import { SESSION_COOKIE, type Session, sameToken } from '../auth/sessions.js';
import { HttpError } from '../http/respond.js';
import { authRoutes } from './auth.js';
import { chatRoutes } from './chats.js';
import type { ApiContext } from './context.js';
import { draftRoutes } from './drafts.js';
import { orderContextRoutes } from './order-context.js';
import { queueRoutes } from './queue.js';
import { reportRoutes } from './reports.js';
import { templateRoutes } from './templates.js';

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

export async function apiPlugin(api: FastifyInstance, ctx: ApiContext): Promise<void> {
  // Cookies are the API's only (the page's files need none): parsed and set here, unsigned (the session
  // id is a random token looked up in the store; the login form's value is signed by `auth/signing.ts`).
  await api.register(fastifyCookie);
  api.decorateRequest('session', undefined);
  api.decorateRequest('agent', undefined);
  // Every API answer is the moment's: never cached (a route streaming a file sets its own).
  api.addHook('onRequest', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const session = await ctx.sessions.get(request.cookies[SESSION_COOKIE]);
    request.session = session;
    if (request.method !== 'GET') await checkCsrf(ctx, request, session);
    request.agent = await ctx.resolveAgent(session?.login);
    if (!request.agent && request.routeOptions.config.anonymous !== true) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'log in first');
    }
  });
  // A path of the API asked with a method it does not take is 405, as before, not 404.
  const methods = new Map<string, Set<string>>();
  api.addHook('onRoute', (route) => {
    const set = methods.get(route.url) ?? new Set();
    for (const method of [route.method].flat()) set.add(method);
    methods.set(route.url, set);
  });
  authRoutes(api, ctx);
  queueRoutes(api, ctx);
  chatRoutes(api, ctx);
  draftRoutes(api, ctx);
  templateRoutes(api, ctx);
  reportRoutes(api, ctx);
  orderContextRoutes(api, ctx);
  methodRoutes.set(ctx, methods);
}

const methodRoutes = new WeakMap<ApiContext, Map<string, Set<string>>>();

/** After the API's routes are known: the other methods of each of their paths answer 405 (no hooks). */
export async function wrongMethodPlugin(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  for (const [url, taken] of methodRoutes.get(ctx) ?? []) {
    const method = METHODS.filter((m) => !taken.has(m));
    if (method.length === 0) continue;
    app.route({
      method,
      url,
      exposeHeadRoute: false,
      handler: async (request) => {
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here`);
      },
    });
  }
}

/**
 * Every write carries a token in `X-CSRF-Token` (a header a cross-site form cannot set) — the session's,
 * or before a login the login form's, signed for this browser's cookie — and a browser's `Origin`, when
 * sent, must be this host.
 */
async function checkCsrf(ctx: ApiContext, request: FastifyRequest, session: Session | undefined) {
  const expectedHost = requestHost(request.raw, ctx.options.trustProxy);
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== expectedHost) throw new HttpError(403, 'CSRF', 'cross-origin write refused');
  }
  const given = request.headers['x-csrf-token'];
  const valid =
    typeof given === 'string' &&
    (session
      ? sameToken(session.csrf, given)
      : await isLoginFormToken(ctx.signer, request.cookies[LOGIN_FORM_COOKIE], given, Date.now()));
  if (!valid) {
    throw new HttpError(403, 'CSRF', 'missing or wrong CSRF token; reload the page');
  }
}

/**
 * The admin namespace (`/_emulator/…`): routes and the pipeline in front of every handler (request guard,
 * body reading and parsing). The handlers live by job in admin-data.ts (the buyer's and the platform's
 * side of the chats), admin-orders.ts (order and return states), admin-controls.ts (clock, quotas, faults, notifications, seed, state) and
 * admin-files.ts (downloads). No auth on a loopback bind, but closed to web pages (see request-guard.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AdminDeps, type AdminHandler, bad, type Json } from './admin-context.js';
import {
  adminState,
  clockState,
  postClock,
  postCredential,
  postFaults,
  postNotificationConfig,
  postQuotas,
  postSeed,
} from './admin-controls.js';
import { createChat, createOrder, createReturn, patchChat, postMessage } from './admin-data.js';
import { downloadFile } from './admin-files.js';
import { patchOrder, patchReturn } from './admin-orders.js';
import { readBody } from './body.js';
import { apiError } from './errors.js';
import { sendError, sendJson } from './http-response.js';
import { tooDeep, tooDeepMessage } from './json-depth.js';
import type { RequestGuard } from './request-guard.js';
import { decodePathPart } from './routes.js';

const ADMIN_BODY_LIMIT = 8 * 1024 * 1024;

const ROUTES: [string, RegExp, AdminHandler][] = [
  [
    'POST',
    /^\/reset$/,
    (deps) => {
      deps.reset();
      return { status: 'OK' };
    },
  ],
  ['POST', /^\/seed$/, postSeed],
  ['GET', /^\/state$/, adminState],
  ['POST', /^\/credentials$/, postCredential],
  ['POST', /^\/businesses\/([^/]+)\/orders$/, createOrder],
  ['PATCH', /^\/businesses\/([^/]+)\/orders\/([^/]+)$/, patchOrder],
  ['POST', /^\/businesses\/([^/]+)\/returns$/, createReturn],
  ['PATCH', /^\/businesses\/([^/]+)\/returns\/([^/]+)$/, patchReturn],
  ['POST', /^\/businesses\/([^/]+)\/chats$/, createChat],
  ['PATCH', /^\/businesses\/([^/]+)\/chats\/([^/]+)$/, patchChat],
  ['POST', /^\/businesses\/([^/]+)\/chats\/([^/]+)\/messages$/, postMessage],
  ['GET', /^\/clock$/, (deps) => clockState(deps)],
  ['POST', /^\/clock$/, postClock],
  ['GET', /^\/quotas$/, (deps) => deps.quotas.describe()],
  ['POST', /^\/quotas$/, postQuotas],
  ['GET', /^\/faults$/, (deps) => ({ rules: deps.faults.list() })],
  ['POST', /^\/faults$/, postFaults],
  [
    'DELETE',
    /^\/faults$/,
    (deps) => {
      deps.faults.clear();
      return { rules: [] };
    },
  ],
  [
    'GET',
    /^\/notifications$/,
    (deps) => ({ config: deps.notifier.config ?? null, deliveries: deps.notifier.deliveries() }),
  ],
  ['POST', /^\/notifications\/config$/, postNotificationConfig],
  [
    'DELETE',
    /^\/notifications$/,
    (deps) => {
      deps.notifier.clearLog();
      return { deliveries: [] };
    },
  ],
  ['GET', /^\/files\/([^/]+)(?:\/[^/]*)?$/, downloadFile],
];

export async function handleAdmin(
  deps: AdminDeps,
  guard: RequestGuard,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const headers: Record<string, string> = {};
  try {
    const sub = path.slice('/_emulator'.length) || '/';
    let matched: { handler: AdminHandler; params: string[] } | undefined;
    let pathKnown = false;
    for (const [method, re, handler] of ROUTES) {
      const m = re.exec(sub);
      if (!m) continue;
      pathKnown = true;
      if (method === req.method) {
        matched = { handler, params: m.slice(1).map(decodePathPart) };
        break;
      }
    }
    const refused = guard.checkAdmin(req.method ?? 'GET', req.headers, {
      // Downloads stand in for the file service: they take the API's credentials, not the admin token.
      tokenExempt: matched?.handler === downloadFile,
    });
    if (refused) throw refused;
    if (!matched) {
      throw pathKnown
        ? apiError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on /_emulator${sub}`)
        : apiError(404, 'NOT_FOUND', `No admin route /_emulator${sub}`);
    }
    let body: Json = {};
    if (req.method === 'POST' || req.method === 'PATCH') {
      const read = await readBody(req, ADMIN_BODY_LIMIT);
      if (read.data === null) throw bad(`request body: over the admin limit of ${ADMIN_BODY_LIMIT} bytes`);
      if (read.size > 0) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(read.data.toString('utf8'));
        } catch {
          throw bad('request body: malformed JSON');
        }
        if (typeof parsed !== 'object' || parsed === null)
          throw bad('request body: must be a JSON object or array');
        const deep = tooDeep(parsed);
        if (deep !== undefined) throw bad(tooDeepMessage(deep));
        body = Array.isArray(parsed) ? { rules: parsed } : (parsed as Json);
      }
    }
    const result = matched.handler(deps, { req, res, params: matched.params, query, body });
    if (result !== undefined) sendJson(res, 200, JSON.stringify(result), headers);
  } catch (err) {
    sendError(res, err, headers);
  }
}

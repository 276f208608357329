/**
 * The inbox's one HTTP layer, a Fastify app: the security headers on every answer (an `onRequest` hook),
 * the page and its bundled files (`static.ts`), the API (`../routes/api.ts`: cookies, sessions, CSRF, the
 * agent check and the routes), the push endpoint when `serve` hands it over (`push-route.ts`), and one
 * error handler that turns whatever a route or Fastify throws into the JSON envelope the page reads.
 */
import fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { apiPlugin, wrongMethodPlugin } from '../routes/api.js';
import type { ApiContext } from '../routes/context.js';
import { errorBody, HttpError, SECURITY_HEADERS } from './respond.js';
import type { StaticAssets } from './static.js';

/** JSON bodies the API reads are small (a reply's text is at most 4 096 characters). */
export const JSON_BODY_LIMIT = 64 * 1024;

/** The page's client-side routes: each answers the page shell (`StaticAssets.serve`). */
const PAGE_ROUTES = ['/', '/login', '/chats/*'];

export function sendError(reply: FastifyReply, error: HttpError): FastifyReply {
  return reply
    .code(error.status)
    .headers({ ...error.headers, 'Cache-Control': 'no-store' })
    .send(errorBody(error.code, error.message));
}

const SECURITY_ENTRIES = Object.entries(SECURITY_HEADERS);

export function buildApp(
  ctx: ApiContext,
  assets: StaticAssets,
  onError: (error: unknown) => void,
): FastifyInstance {
  const app = fastify({
    bodyLimit: JSON_BODY_LIMIT,
    // HEAD is the page's and its files' only (registered with them); the API answers it 405, as before.
    exposeHeadRoutes: false,
    // A malformed URL or a header Fastify refuses is answered in the envelope too.
    frameworkErrors: (error, _request, reply) => {
      sendError(reply, new HttpError(error.statusCode ?? 400, 'BAD_REQUEST', error.message));
    },
  });
  // Set on the socket's response, so a hijacked reply (an event stream) and a streamed file carry them too.
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of SECURITY_ENTRIES) reply.raw.setHeader(name, value);
    done();
  });
  // JSON only: a text/plain body is not something any route reads (415).
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, request, reply) => {
    const known = toHttpError(error, request);
    if (!known) onError(error);
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    return sendError(reply, known ?? new HttpError(500, 'INTERNAL', 'internal error'));
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/')) {
      return sendError(reply, new HttpError(404, 'NOT_FOUND', 'no such API route'));
    }
    // Any method: on the port `serve` shares with the push endpoint, a wrong path is just not there.
    return sendError(reply, new HttpError(404, 'NOT_FOUND', 'no such page'));
  });
  for (const path of [...PAGE_ROUTES, ...assets.files]) {
    app.route({
      method: ['GET', 'HEAD'],
      url: path,
      handler: (request, reply) => assets.serve(request, reply, path),
    });
    app.route({
      method: ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: path,
      handler: async () => {
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'only GET here');
      },
    });
  }
  app.register(apiPlugin, ctx);
  app.register(wrongMethodPlugin, ctx);
  return app;
}

/** What the page is told for an error (undefined: unexpected, a 500). */
function toHttpError(error: unknown, request: FastifyRequest): HttpError | undefined {
  if (error instanceof HttpError) return error;
  const fault = error as Partial<FastifyError>;
  if (fault.validation) {
    if (fault.validationContext === 'body' && !isJson(request)) return unsupported();
    const first = fault.validation[0];
    const missing = (first?.params as { missingProperty?: unknown } | undefined)?.missingProperty;
    const field = first?.instancePath.split('/')[1] || (typeof missing === 'string' ? missing : '');
    const named = field ? request.routeOptions.config.invalid?.[field] : undefined;
    if (named) return new HttpError(400, named[0], named[1]);
    if (fault.validationContext === 'body' && !field) {
      return new HttpError(400, 'BAD_JSON', 'the body must be a JSON object');
    }
    return new HttpError(400, 'BAD_REQUEST', fault.message ?? 'invalid request');
  }
  switch (fault.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(
        413,
        'TOO_LARGE',
        `the body is over ${request.routeOptions.bodyLimit ?? JSON_BODY_LIMIT} bytes`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupported();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'BAD_JSON', 'the body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'BAD_JSON', 'the body is not valid JSON');
  }
  const status = fault.statusCode ?? 500;
  if (error instanceof SyntaxError && status === 400) {
    return new HttpError(400, 'BAD_JSON', 'the body is not valid JSON');
  }
  if (status >= 400 && status < 500) return new HttpError(status, 'BAD_REQUEST', fault.message ?? '');
  return undefined;
}

const unsupported = () => new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');

function isJson(request: FastifyRequest): boolean {
  return /^application\/json\b/i.test(request.headers['content-type'] ?? '');
}

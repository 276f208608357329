/**
 * The platform's push endpoint as a route of the inbox's app, so `serve` answers its port with one HTTP
 * layer. What a push means is sync's (`NotificationHandler`, behind `serve`'s `PushRoute`); the answer's
 * shape is the SDK's. This context reads the body as text (any type, up to the SDK's push limit) and has
 * its own error handler, so every answer here is in the platform's envelope, not the page's.
 */
import type { IncomingMessage } from 'node:http';
import {
  PUSH_BODY_LIMIT_BYTES,
  type PushAnswer,
  type PushErrorAnswer,
  pushBodyTooLarge,
  pushError,
} from '@ym-chats/sdk';
import type { FastifyInstance, FastifyReply, HTTPMethods } from 'fastify';

/** What `serve` hands the app (`PushRoute` in @ym-chats/sync's receiver): the path and its two steps. */
export interface PushRoute {
  /** `{basePath}/notification`. */
  readonly path: string;
  /** Whether the source may push (the allow-list); false is answered 403 and counted by the receiver. */
  admits(req: IncomingMessage): boolean;
  /** The answer to one notification body. */
  answer(text: string): Promise<PushAnswer | PushErrorAnswer>;
}

const OTHER_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

const send = (reply: FastifyReply, answer: PushAnswer | PushErrorAnswer) =>
  reply.code(answer.status).send(answer.body);

export function pushPlugin(push: PushRoute) {
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: PUSH_BODY_LIMIT_BYTES },
      (_request, body, done) => done(null, body),
    );
    app.setErrorHandler((error: { code?: string }, _request, reply) =>
      send(
        reply,
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? pushBodyTooLarge()
          : pushError(500, 'UNKNOWN', 'internal error'),
      ),
    );
    // Before the body is read: a refused source costs nothing more.
    app.addHook('onRequest', async (request, reply) => {
      if (push.admits(request.raw)) return;
      request.raw.resume();
      return send(reply, pushError(403, 'UNKNOWN', 'source not allowed'));
    });
    app.post(push.path, { bodyLimit: PUSH_BODY_LIMIT_BYTES }, async (request, reply) =>
      send(reply, await push.answer(typeof request.body === 'string' ? request.body : '')),
    );
    app.route({
      method: OTHER_METHODS,
      url: push.path,
      handler: async (_request, reply) =>
        send(reply.header('Allow', 'POST'), pushError(405, 'UNKNOWN', 'notifications are POSTed')),
    });
  };
}

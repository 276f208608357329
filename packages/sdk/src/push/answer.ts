/**
 * What a push receiver answers (spec/notifications.openapi.yaml, `SendNotificationResponse` and
 * `SendNotificationErrorResponse`), one home for sync's receiver and `watch --listen`: a 200 with the
 * integration's `version`, `name` and the `time` handling began; an error as `{error: {type, message}}`.
 * The platform keeps resending until it gets a 200, so which status goes with which case stays with each
 * receiver; the shapes, the body limit and the writing are here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PUSH_BODY_LIMIT_BYTES } from './parse.js';

/** The spec's `NotificationApiErrorType`. */
export type PushErrorType = 'UNKNOWN' | 'WRONG_EVENT_FORMAT' | 'DUPLICATED_EVENT';

export interface PushAnswer {
  status: 200;
  body: { version: string; name: string; time: string };
}

export interface PushErrorAnswer {
  /** 400 and 500 are the spec's; 403, 404 and 405 are ours (a refused source, a wrong path or method). */
  status: 400 | 403 | 404 | 405 | 500;
  body: { error: { type: PushErrorType; message: string } };
}

/** The name shown when the integration gives none. */
export const DEFAULT_INTEGRATION_NAME = 'ym-chats';

/** The spec's bounds for `version` and `name`: 1 to 100 characters. */
const fit = (text: string, fallback: string): string => {
  const trimmed = text.trim();
  return trimmed === '' ? fallback : [...trimmed].slice(0, 100).join('');
};

/**
 * The 200 answer. An empty or overlong name or version is fitted to the spec (a default, or cut at 100
 * characters) rather than refused: an answer the platform rejects would have it resend for days.
 */
export function pushAnswer(
  integration: { version: string; name?: string | undefined },
  now: number | Date = Date.now(),
): PushAnswer {
  return {
    status: 200,
    body: {
      version: fit(integration.version, '0'),
      name: fit(integration.name ?? '', DEFAULT_INTEGRATION_NAME),
      time: new Date(now).toISOString(),
    },
  };
}

/** An error answer in the spec's envelope. */
export function pushError(
  status: PushErrorAnswer['status'],
  type: PushErrorType,
  message: string,
): PushErrorAnswer {
  return { status, body: { error: { type, message } } };
}

/** Writes an answer as JSON with its length. */
export function writePushAnswer(res: ServerResponse, answer: PushAnswer | PushErrorAnswer): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A notification body as text; `undefined` past `PUSH_BODY_LIMIT_BYTES` (the rest is drained unread). */
export async function readPushBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > PUSH_BODY_LIMIT_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The 400 for a body over the limit. */
export const pushBodyTooLarge = (): PushErrorAnswer =>
  pushError(400, 'WRONG_EVENT_FORMAT', `body: over ${PUSH_BODY_LIMIT_BYTES} bytes`);

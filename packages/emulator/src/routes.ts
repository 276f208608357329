/** The chat API's paths, at the seed's unprefixed style and the current `/v2` style alike. */
import type { OperationId } from './types.js';

const PATH =
  /^(?:\/v2)?\/businesses\/([^/]+)\/(chats\/new|chats|chat|chats\/file\/send|chats\/message|chats\/history)\/?$/;

const TABLE: Record<string, Partial<Record<string, OperationId>>> = {
  'chats/new': { POST: 'createChat' },
  chats: { POST: 'getChats' },
  chat: { GET: 'getChat' },
  'chats/file/send': { POST: 'sendFileToChat' },
  'chats/message': { POST: 'sendMessageToChat', GET: 'getChatMessage' },
  'chats/history': { POST: 'getChatHistory' },
};

export type RouteMatch =
  | { kind: 'op'; op: OperationId; businessId: string }
  | { kind: 'method'; allow: string }
  | { kind: 'none' };

export function matchRoute(method: string, path: string): RouteMatch {
  const m = PATH.exec(path);
  if (!m) return { kind: 'none' };
  const methods = TABLE[m[2]!]!;
  const op = methods[method];
  if (!op) return { kind: 'method', allow: Object.keys(methods).join(', ') };
  return { kind: 'op', op, businessId: decodePathPart(m[1]!) };
}

/** Percent-decodes a path segment; a malformed escape is kept as sent, so validation can name it (a 400). */
export function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The chat API's paths, at the seed's unprefixed style and the current `/v2` style alike (from OPERATIONS). */
import { OPERATIONS } from './operations.js';
import type { OperationId } from './types.js';

/** path → method → operation, e.g. `chats/message` → { POST: sendMessageToChat, GET: getChatMessage }. */
const TABLE = new Map<string, Partial<Record<string, OperationId>>>();
for (const [op, { method, path }] of Object.entries(OPERATIONS) as [
  OperationId,
  { method: string; path: string },
][]) {
  TABLE.set(path, { ...TABLE.get(path), [method]: op });
}
const PATH = /^(?:\/v2)?\/businesses\/([^/]+)\/(.+?)\/?$/;

export type RouteMatch =
  | { kind: 'op'; op: OperationId; businessId: string }
  | { kind: 'method'; allow: string }
  | { kind: 'none' };

export function matchRoute(method: string, path: string): RouteMatch {
  const m = PATH.exec(path);
  const methods = m ? TABLE.get(m[2]!) : undefined;
  if (!m || !methods) return { kind: 'none' };
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

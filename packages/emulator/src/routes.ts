/**
 * The API's paths (from OPERATIONS): the chat methods at the seed's unprefixed style and the current `/v2`
 * style alike, and the order and return reads at their one path from the API root.
 */
import { OPERATIONS } from './operations.js';
import type { OperationId } from './types.js';

/** path → method → operation, e.g. `chats/message` → { POST: sendMessageToChat, GET: getChatMessage }. */
const TABLE = new Map<string, Partial<Record<string, OperationId>>>();
/** Operations at a fixed path from the root: the path's pattern and the names of its `{…}` ids. */
const FROM_ROOT: { op: OperationId; method: string; pattern: RegExp; names: string[] }[] = [];
for (const [op, spec] of Object.entries(OPERATIONS) as [OperationId, (typeof OPERATIONS)[OperationId]][]) {
  if (spec.fromRoot) {
    const names = [...spec.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const pattern = new RegExp(`^/${spec.path.replace(/\{[^}]+\}/g, '([^/]+)')}/?$`);
    FROM_ROOT.push({ op, method: spec.method, pattern, names });
  } else TABLE.set(spec.path, { ...TABLE.get(spec.path), [spec.method]: op });
}
const PATH = /^(?:\/v2)?\/businesses\/([^/]+)\/(.+?)\/?$/;

export type RouteMatch =
  /** `ids`: the path's ids as sent (percent-decoded), by the spec's names: businessId, campaignId, … */
  | { kind: 'op'; op: OperationId; ids: Record<string, string> }
  | { kind: 'method'; allow: string }
  | { kind: 'none' };

export function matchRoute(method: string, path: string): RouteMatch {
  const rooted = FROM_ROOT.filter((r) => r.pattern.test(path));
  if (rooted.length > 0) {
    const route = rooted.find((r) => r.method === method);
    if (!route) return { kind: 'method', allow: rooted.map((r) => r.method).join(', ') };
    const values = route.pattern.exec(path)!.slice(1);
    const ids = Object.fromEntries(route.names.map((name, i) => [name, decodePathPart(values[i]!)]));
    return { kind: 'op', op: route.op, ids };
  }
  const m = PATH.exec(path);
  const methods = m ? TABLE.get(m[2]!) : undefined;
  if (!m || !methods) return { kind: 'none' };
  const op = methods[method];
  if (!op) return { kind: 'method', allow: Object.keys(methods).join(', ') };
  return { kind: 'op', op, ids: { businessId: decodePathPart(m[1]!) } };
}

/** Percent-decodes a path segment; a malformed escape is kept as sent, so validation can name it (a 400). */
export function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

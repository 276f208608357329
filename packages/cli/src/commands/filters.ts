/** Turns the chats filter flags into a GetChatsRequest, in the shape the chosen API version expects. */
import {
  CHAT_CONTEXT_TYPES,
  CHAT_STATUSES,
  CHAT_TYPES,
  type ChatContextRef,
  type GetChatsRequest,
  type Id,
} from '@ym-chats/sdk';
import { closest, strs, type Values } from '../args.js';
import { UsageError } from '../errors.js';
import { listValues, parseId } from '../ids.js';

const KNOWN: Record<'status' | 'type' | 'context-type', readonly string[]> = {
  status: CHAT_STATUSES,
  type: CHAT_TYPES,
  'context-type': CHAT_CONTEXT_TYPES,
};

/**
 * Values are upper-cased so `--status waiting_for_partner` works. Unknown values are refused here with a
 * suggestion: the platform would answer 400 anyway, after spending quota.
 */
function enumList(values: Values, name: keyof typeof KNOWN): string[] | undefined {
  const list = listValues(strs(values, name)).map((v) => v.toUpperCase().replace(/-/g, '_'));
  if (list.length === 0) return undefined;
  for (const v of list) {
    if (!KNOWN[name].includes(v)) {
      const guess = closest(v, KNOWN[name]);
      throw new UsageError(
        `--${name} ${v} is not a known value`,
        `${guess ? `Did you mean ${guess}? ` : ''}Known: ${KNOWN[name].join(', ')}.`,
      );
    }
  }
  return [...new Set(list)];
}

export function chatsFilter(values: Values, seedPaths: boolean): GetChatsRequest {
  const filter: GetChatsRequest = {};
  const statuses = enumList(values, 'status');
  if (statuses) filter.statuses = statuses;
  const types = enumList(values, 'type');
  if (types) filter.types = types;
  const contextTypes = enumList(values, 'context-type');
  if (contextTypes) filter.contextTypes = contextTypes;
  const orders: Id[] = listValues(strs(values, 'order')).map((v) => parseId(v, `--order "${v}"`));
  const returns: Id[] = listValues(strs(values, 'return')).map((v) => parseId(v, `--return "${v}"`));
  if (seedPaths) {
    if (returns.length > 0) {
      throw new UsageError(
        '--return needs the current API paths',
        'Drop --seed-paths / --v1 to filter by return.',
      );
    }
    if (orders.length > 0) filter.orderIds = orders;
    return filter;
  }
  const contexts: ChatContextRef[] = [
    ...orders.map((id) => ({ type: 'ORDER' as const, id })),
    ...returns.map((id) => ({ type: 'RETURN' as const, id })),
  ];
  if (contexts.length > 0) filter.contexts = contexts;
  return filter;
}

export const FILTER_OPTIONS = {
  status: {
    type: 'string',
    multiple: true,
    arg: 'STATUS',
    help: `only chats in these statuses (comma-separated or repeated): ${KNOWN.status.join(', ')}`,
  },
  type: { type: 'string', multiple: true, arg: 'TYPE', help: 'only CHAT or ARBITRAGE (dispute) chats' },
  'context-type': {
    type: 'string',
    multiple: true,
    arg: 'TYPE',
    help: 'only chats about an ORDER, a RETURN or DIRECT ones',
  },
  order: { type: 'string', multiple: true, arg: 'ID', help: 'only the chats of these order ids' },
  return: { type: 'string', multiple: true, arg: 'ID', help: 'only the chats of these return ids' },
} as const;

import {
  CHAT_CONTEXT_TYPES,
  CHAT_STATUSES,
  CHAT_TYPES,
  type GetChatsRequest,
  PAGE_LIMITS,
} from '@ym-chats/sdk';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { errorResult, explainApiError } from '../errors.js';
import { chatLine, chatOut, chatShape, WAITING_STATUS } from '../shapes.js';
import { READ_ANNOTATIONS } from './annotations.js';

export function registerListChats(ctx: ToolContext): void {
  ctx.server.registerTool(
    'list_chats',
    {
      title: 'List buyer chats',
      description:
        'Lists the seller’s chats with buyers, newest first, one page at a time. Filter by status, type ' +
        'and context type, or pass waitingOnly to get the chats where the buyer waits for an answer. ' +
        'Pass nextPageToken back as pageToken for the next page.',
      inputSchema: z.strictObject({
        waitingOnly: z
          .boolean()
          .optional()
          .describe('only chats waiting for the seller (WAITING_FOR_PARTNER)'),
        statuses: z.array(z.enum(CHAT_STATUSES)).min(1).optional(),
        types: z.array(z.enum(CHAT_TYPES)).min(1).optional().describe('CHAT, or ARBITRAGE for disputes'),
        contextTypes: z.array(z.enum(CHAT_CONTEXT_TYPES)).min(1).optional(),
        limit: z.number().int().min(1).max(PAGE_LIMITS.getChats.max).optional().describe('page size'),
        pageToken: z.string().min(1).optional(),
      }),
      outputSchema: {
        chats: z.array(chatShape),
        nextPageToken: z.string().optional().describe('absent on the last page'),
      },
      annotations: READ_ANNOTATIONS,
    },
    async (input) => {
      const filter: GetChatsRequest = {};
      if (input.waitingOnly) {
        if (input.statuses && !input.statuses.includes(WAITING_STATUS)) {
          return errorResult(
            `waitingOnly asks for ${WAITING_STATUS} but statuses excludes it; pass one or the other.`,
          );
        }
        filter.statuses = [WAITING_STATUS];
      } else if (input.statuses) filter.statuses = [...new Set(input.statuses)];
      if (input.types) filter.types = [...new Set(input.types)];
      if (input.contextTypes) filter.contextTypes = [...new Set(input.contextTypes)];
      try {
        const limit = input.limit ?? PAGE_LIMITS.getChats.max;
        const { result } = await ctx.api.getChats(ctx.businessId, filter, input.pageToken, limit);
        const chats = result.chats.map(chatOut);
        const next = result.paging?.nextPageToken;
        const lines = chats.length === 0 ? ['No chats match.'] : chats.map(chatLine);
        if (next !== undefined) lines.push(`More: call list_chats again with pageToken "${next}".`);
        return {
          content: [{ type: 'text', text: lines.join('\n') }],
          structuredContent: next === undefined ? { chats } : { chats, nextPageToken: next },
        };
      } catch (error) {
        return errorResult(explainApiError(error, 'list_chats'));
      }
    },
  );
}

import { CHAT_CONTEXT_TYPES, CHAT_STATUSES, CHAT_TYPES, PAGE_LIMITS } from '@ym-chats/sdk';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { errorResult, explainApiError } from '../errors.js';
import { chatLine, chatShape, syncedAtShape, WAITING_STATUS, withFreshness } from '../shapes.js';
import type { ChatFilter } from '../source/source.js';
import { READ_ANNOTATIONS } from './annotations.js';

export function registerListChats(ctx: ToolContext): void {
  ctx.server.registerTool(
    'list_chats',
    {
      title: 'List buyer chats',
      description:
        'Lists the seller’s chats with buyers, most recent first, one page at a time. Filter by status, ' +
        'type and context type, or pass waitingOnly to get the chats where the buyer waits for an answer. ' +
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
        syncedAt: syncedAtShape,
      },
      annotations: READ_ANNOTATIONS,
    },
    async (input) => {
      const filter: ChatFilter = {};
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
        const page = await ctx.source.listChats(filter, input.pageToken, limit);
        const lines = page.chats.length === 0 ? ['No chats match.'] : page.chats.map(chatLine);
        if (page.nextPageToken !== undefined) {
          lines.push(`More: call list_chats again with pageToken "${page.nextPageToken}".`);
        }
        const { structured, text } = await withFreshness(ctx.source, { ...page }, lines);
        return { content: [{ type: 'text', text }], structuredContent: structured };
      } catch (error) {
        return errorResult(explainApiError(error, 'list_chats'));
      }
    },
  );
}

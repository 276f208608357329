import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { errorResult, explainApiError, ToolError } from '../errors.js';
import { chatLine, chatOut, chatShape } from '../shapes.js';
import { ApiSource } from '../source/api.js';
import type { Tail } from '../source/source.js';
import { DRAFT_ANNOTATIONS } from './annotations.js';
import { chatIdInput } from './ids.js';
import { replyTextInput } from './text.js';

/**
 * The newest message the assistant could have read before drafting: from its own source (the store may lag
 * the platform, which only makes the mark older and the approval's "replied meanwhile" check wider), or
 * from the API for a chat newer than the store's last pass.
 */
async function newestReadable(ctx: ToolContext, chatId: number): Promise<number> {
  let tail: Tail;
  try {
    tail = await ctx.source.tail(chatId, 1);
  } catch (error) {
    if (ctx.source.kind !== 'store' || !(error instanceof ToolError)) throw error;
    tail = await new ApiSource(ctx.api, ctx.businessId).tail(chatId, 1);
  }
  return tail.messages.at(-1)?.messageId ?? 0;
}

export function registerDraftReply(ctx: ToolContext): void {
  ctx.server.registerTool(
    'draft_reply',
    {
      title: 'Draft a reply (sends nothing)',
      description:
        'Prepares a reply to the buyer in a chat and returns a draftId with the exact text. Nothing is sent. ' +
        'The draft is bound to this chat and this text: neither can change. Show the text to the person; ' +
        'send_reply sends it only with their own confirmation (or hands it to them for approval).',
      inputSchema: z.strictObject({ chatId: chatIdInput, text: replyTextInput }),
      outputSchema: {
        draftId: z.string(),
        chatId: z.number(),
        text: z.string().describe('exactly what send_reply will send'),
        characters: z.number(),
        textSha256: z.string(),
        chat: chatShape,
      },
      annotations: DRAFT_ANNOTATIONS,
    },
    async ({ chatId, text }) => {
      let chat: ReturnType<typeof chatOut>;
      try {
        chat = chatOut((await ctx.api.getChat(ctx.businessId, chatId)).result);
      } catch (error) {
        return errorResult(`${explainApiError(error, `chat ${chatId}`)} Nothing was drafted or sent.`);
      }
      if (chat.status === 'FINISHED') {
        return errorResult(
          `Chat ${chatId} is FINISHED: the platform accepts no more messages there. Nothing was drafted.`,
        );
      }
      let seenMessageId: number | undefined;
      if (ctx.approvals !== undefined) {
        try {
          seenMessageId = await newestReadable(ctx, chatId);
        } catch (error) {
          return errorResult(`${explainApiError(error, `chat ${chatId}`)} Nothing was drafted or sent.`);
        }
      }
      const draft = ctx.drafts.create(chatId, chatLine(chat), text, seenMessageId);
      return {
        content: [
          {
            type: 'text',
            text:
              `Draft ${draft.draftId} for ${draft.chatLabel} (${text.length} characters). Nothing has been sent.\n` +
              'Show the person this exact text; send it with send_reply only if they agree:\n\n' +
              text,
          },
        ],
        structuredContent: {
          draftId: draft.draftId,
          chatId,
          text: draft.text,
          characters: text.length,
          textSha256: draft.textSha256,
          chat,
        },
      };
    },
  );
}

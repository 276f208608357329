import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { errorResult, explainApiError } from '../errors.js';
import { chatLine, chatOut, chatShape } from '../shapes.js';
import { DRAFT_ANNOTATIONS } from './annotations.js';
import { chatIdInput } from './ids.js';
import { replyTextInput } from './text.js';

export function registerDraftReply(ctx: ToolContext): void {
  ctx.server.registerTool(
    'draft_reply',
    {
      title: 'Draft a reply (sends nothing)',
      description:
        'Prepares a reply to the buyer in a chat and returns a draftId with the exact text. Nothing is sent. ' +
        'The draft is bound to this chat and this text: neither can change. Show the text to the person; ' +
        'send_reply sends it only with their confirmation.',
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
      const draft = ctx.drafts.create(chatId, chatLine(chat), text);
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

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { deliver, record } from '../deliver.js';
import { errorResult, explainApiError, ToolError } from '../errors.js';
import { type FileToSend, readAllowedFile } from '../files.js';
import { chatLine, chatOut } from '../shapes.js';
import { SEND_FILE_ANNOTATIONS } from './annotations.js';
import { withoutPerson } from './approval-result.js';
import { confirmInput, outcomeShape } from './confirm-input.js';
import { chatIdInput } from './ids.js';

export function registerSendFile(ctx: ToolContext, filesDir: string): void {
  ctx.server.registerTool(
    'send_file',
    {
      title: 'Send a file to the buyer',
      description:
        'Uploads a file (at most 5 MB) to a chat after the person confirms in this client (MCP elicitation; ' +
        'without it nothing is sent unless the server runs with --unsafe-model-confirms). Only files inside ' +
        `${filesDir} can ` +
        'be sent; give a path relative to it. The file is read once, before the confirmation, and exactly ' +
        'those bytes are sent. Every send is recorded in the audit log.',
      inputSchema: z.strictObject({
        chatId: chatIdInput,
        path: z.string().min(1).describe(`relative to ${filesDir}`),
        confirm: confirmInput,
      }),
      outputSchema: {
        sendId: z.string(),
        chatId: z.number(),
        outcome: outcomeShape,
        file: z.object({ name: z.string(), size: z.number(), sha256: z.string() }),
        dryRun: z.boolean(),
      },
      annotations: SEND_FILE_ANNOTATIONS,
    },
    async ({ chatId, path, confirm }, extra) => {
      let file: FileToSend;
      let label: string;
      try {
        file = await readAllowedFile(filesDir, path);
        const chat = chatOut((await ctx.api.getChat(ctx.businessId, chatId)).result);
        if (chat.status === 'FINISHED') {
          throw new ToolError(
            `Chat ${chatId} is FINISHED: the platform accepts no more messages there. Nothing was sent.`,
          );
        }
        label = chatLine(chat);
      } catch (error) {
        const text = explainApiError(error, `chat ${chatId}`);
        return errorResult(error instanceof ToolError ? text : `${text} Nothing was sent.`);
      }
      const sendId = `file-${randomUUID()}`;
      const fileFacts = { name: file.name, size: file.size, sha256: file.sha256 };
      const subject = {
        businessId: String(ctx.businessId),
        chatId: String(chatId),
        sendId,
        kind: 'file' as const,
        file: fileFacts,
      };
      const structured = (outcome: z.infer<typeof outcomeShape>) => ({
        sendId,
        chatId,
        outcome,
        file: fileFacts,
        dryRun: ctx.dryRun,
      });
      const shown = `Send this file to the buyer? ${label}\n\n${file.name} (${file.size} bytes, SHA-256 ${file.sha256.slice(0, 16)}…)`;
      const answer = await ctx.confirmer.confirm(shown, confirm, extra.signal);
      if (answer.kind === 'elsewhere') {
        // Files are not queued: the person answers in the client or sends the file themselves.
        const refusal = withoutPerson(ctx, shown, 'file');
        record(ctx, { ...subject, event: 'outcome', outcome: 'refused', reason: refusal.summary });
        return errorResult(refusal.reason, structured('refused'));
      }
      if (answer.kind === 'refused') {
        record(ctx, { ...subject, event: 'outcome', outcome: 'refused', reason: answer.summary });
        return errorResult(answer.reason, structured('refused'));
      }
      const delivery = await deliver(ctx, subject, answer.by, () =>
        ctx.api.sendFileToChat(ctx.businessId, chatId, { data: file.data, name: file.name }),
      );
      if (delivery.outcome === 'notSent' || delivery.outcome === 'maybeSent') {
        return errorResult(delivery.reason, structured(delivery.outcome));
      }
      const text =
        delivery.outcome === 'dryRun'
          ? `Dry run: ${file.name} was confirmed but NOT sent (--dry-run).`
          : `Sent ${file.name} (${file.size} bytes) to ${label}.`;
      return { content: [{ type: 'text', text }], structuredContent: structured(delivery.outcome) };
    },
  );
}

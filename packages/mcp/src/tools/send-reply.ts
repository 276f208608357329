import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { deliver, record } from '../deliver.js';
import type { Draft } from '../drafts.js';
import { errorResult } from '../errors.js';
import { SEND_DRAFT_ANNOTATIONS } from './annotations.js';
import { approvalShape, queueForApproval, reportApproval, withoutPerson } from './approval-result.js';
import { confirmInput, outcomeShape } from './confirm-input.js';

function question(draft: Draft, prior: Draft[]): string {
  const warning = prior.map(
    (d) =>
      `WARNING: the same text went to this chat before (${d.draftId}, ${d.state === 'sent' ? 'sent' : 'MAY have been delivered'} at ${d.settledAt}).`,
  );
  return [`Send this message to the buyer? ${draft.chatLabel}`, ...warning, '', draft.text].join('\n');
}

export function registerSendReply(ctx: ToolContext): void {
  ctx.server.registerTool(
    'send_reply',
    {
      title: 'Send a drafted reply to the buyer',
      description:
        'Sends a draft made by draft_reply, exactly as drafted, to its chat, only with the person’s own ' +
        'confirmation: asked in this client when it can ask; otherwise the draft waits for the person’s ' +
        'approval outside this conversation (outcome waitingForApproval) — call again later with the same ' +
        'draftId to learn what became of it; that call never sends. A draft is sent at most once. Every send ' +
        'is recorded in the audit log.',
      inputSchema: z.strictObject({ draftId: z.string().min(1), confirm: confirmInput }),
      outputSchema: {
        draftId: z.string(),
        chatId: z.number(),
        outcome: outcomeShape,
        characters: z.number(),
        dryRun: z.boolean(),
        approval: approvalShape.optional(),
      },
      annotations: SEND_DRAFT_ANNOTATIONS,
    },
    async ({ draftId, confirm }, extra) => {
      // A draft a person holds is theirs: the assistant only learns what became of it.
      const decided = await reportApproval(ctx, draftId);
      if (decided !== undefined) return decided;
      const claim = ctx.drafts.claim(draftId);
      const subject = (draft: Draft) => ({
        businessId: String(ctx.businessId),
        chatId: String(draft.chatId),
        sendId: draft.draftId,
        kind: 'text' as const,
        textSha256: draft.textSha256,
        characters: draft.text.length,
      });
      if ('refused' in claim) {
        if (claim.draft)
          record(ctx, {
            ...subject(claim.draft),
            event: 'outcome',
            outcome: 'refused',
            reason: claim.refused,
          });
        return errorResult(claim.refused);
      }
      const draft = claim.claimed;
      const structured = (outcome: z.infer<typeof outcomeShape>) => ({
        draftId,
        chatId: Number(draft.chatId),
        outcome,
        characters: draft.text.length,
        dryRun: ctx.dryRun,
      });
      const answer = await ctx.confirmer.confirm(
        question(draft, ctx.drafts.priorSends(draft)),
        confirm,
        extra.signal,
      );
      if (answer.kind === 'elsewhere') {
        if (ctx.approvals === undefined || ctx.dryRun) {
          ctx.drafts.release(draft);
          const refusal = withoutPerson(ctx, question(draft, []));
          record(ctx, { ...subject(draft), event: 'outcome', outcome: 'refused', reason: refusal.summary });
          return errorResult(refusal.reason, structured('refused'));
        }
        return queueForApproval(ctx, draft, subject(draft));
      }
      if (answer.kind === 'refused') {
        ctx.drafts.release(draft);
        record(ctx, { ...subject(draft), event: 'outcome', outcome: 'refused', reason: answer.summary });
        return errorResult(answer.reason, structured('refused'));
      }
      const delivery = await deliver(ctx, subject(draft), answer.by, () =>
        ctx.api.sendMessageToChat(ctx.businessId, draft.chatId, { message: draft.text }),
      );
      switch (delivery.outcome) {
        case 'notSent':
          ctx.drafts.release(draft);
          return errorResult(`${delivery.reason} The draft is still open.`, structured('notSent'));
        case 'maybeSent':
          ctx.drafts.settle(draft, 'maybeSent');
          return errorResult(`${delivery.reason} Draft ${draftId} is closed.`, structured('maybeSent'));
        case 'dryRun':
          ctx.drafts.settle(draft, 'dryRun');
          return {
            content: [
              { type: 'text', text: `Dry run: draft ${draftId} was confirmed but NOT sent (--dry-run).` },
            ],
            structuredContent: structured('dryRun'),
          };
        case 'sent':
          ctx.drafts.settle(draft, 'sent');
          return {
            content: [{ type: 'text', text: `Sent draft ${draftId} to ${draft.chatLabel}.` }],
            structuredContent: structured('sent'),
          };
      }
    },
  );
}

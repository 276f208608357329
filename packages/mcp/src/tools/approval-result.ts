/**
 * send_reply's side of the approval queue (approval.ts): handing a draft over, and telling the assistant
 * what a person did with it. Nothing here sends; a queued draft leaves only through the person's approval.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { type ApprovalState, type ApprovalStatus, DEFAULT_APPROVE_HINT } from '../approval.js';
import type { AuditEvent } from '../audit.js';
import type { ToolContext } from '../context.js';
import { record } from '../deliver.js';
import type { Draft } from '../drafts.js';
import { errorResult } from '../errors.js';
import type { outcomeShape } from './confirm-input.js';

export const approvalShape = z.object({
  state: z.enum(['waiting', 'sending', 'sent', 'maybeSent', 'notSent', 'discarded']),
  decidedBy: z.string().optional().describe('who approved or discarded it'),
  decidedAt: z.string().optional(),
  reason: z.string().optional(),
});

const OUTCOME: Record<ApprovalState, z.infer<typeof outcomeShape>> = {
  waiting: 'waitingForApproval',
  sending: 'approved',
  sent: 'sent',
  maybeSent: 'maybeSent',
  notSent: 'notSent',
  discarded: 'discarded',
};

function hint(ctx: ToolContext): string {
  return ctx.approvals?.approveHint ?? DEFAULT_APPROVE_HINT;
}

function explain(ctx: ToolContext, draftId: string, status: ApprovalStatus): string {
  const by = status.decidedBy === undefined ? 'a person' : status.decidedBy;
  const at = status.decidedAt === undefined ? '' : ` at ${status.decidedAt}`;
  switch (status.state) {
    case 'waiting':
      return (
        `NOT SENT: draft ${draftId} waits for the person's approval (${hint(ctx).replace('DRAFT_ID', draftId)}). ` +
        'Tell the person it is waiting for them; nothing you pass can send it. Call send_reply with this ' +
        'draftId later to learn what became of it.'
      );
    case 'sending':
      return `${by} approved draft ${draftId}${at}; it is being sent. Call send_reply with this draftId later for the outcome.`;
    case 'sent':
      return `Draft ${draftId} was approved by ${by}${at} and sent. Nothing more will be sent for it.`;
    case 'maybeSent':
      return (
        `Draft ${draftId} was approved by ${by}${at} and MAY HAVE BEEN DELIVERED (${status.reason ?? 'outcome unknown'}). ` +
        'It will not be sent again. Read the chat with get_chat_history before anything else.'
      );
    case 'notSent':
      return `Draft ${draftId} was approved by ${by}${at} but NOT sent: ${status.reason ?? 'the send failed'}. Nothing more will be sent for it; the person decides what next.`;
    case 'discarded':
      return `${by} discarded draft ${draftId}${at}: it will never be sent. Do not send it another way unless the person asks.`;
  }
}

function approvalResult(ctx: ToolContext, draftId: string, status: ApprovalStatus): CallToolResult {
  const structuredContent = {
    draftId,
    chatId: status.chatId,
    outcome: OUTCOME[status.state],
    characters: status.characters,
    dryRun: ctx.dryRun,
    approval: {
      state: status.state,
      ...(status.decidedBy === undefined ? {} : { decidedBy: status.decidedBy }),
      ...(status.decidedAt === undefined ? {} : { decidedAt: status.decidedAt }),
      ...(status.reason === undefined ? {} : { reason: status.reason }),
    },
  };
  const text = explain(ctx, draftId, status);
  const failed = status.state === 'maybeSent' || status.state === 'notSent' || status.state === 'discarded';
  return failed
    ? errorResult(text, structuredContent)
    : { content: [{ type: 'text', text }], structuredContent };
}

/** What a person did with a queued draft; undefined when the queue never saw it (or there is none). */
export async function reportApproval(ctx: ToolContext, draftId: string): Promise<CallToolResult | undefined> {
  if (ctx.approvals === undefined) return undefined;
  let status: ApprovalStatus | undefined;
  try {
    status = await ctx.approvals.status(draftId);
  } catch (error) {
    return errorResult(
      `The approval queue could not be read (${error instanceof Error ? error.message : String(error)}). Nothing was sent; try again later.`,
    );
  }
  return status === undefined ? undefined : approvalResult(ctx, draftId, status);
}

/** The claimed draft into the queue, for a person; the draft is the queue's from then on. */
export async function queueForApproval(
  ctx: ToolContext,
  draft: Draft,
  subject: Omit<AuditEvent, 'event'>,
): Promise<CallToolResult> {
  const queue = ctx.approvals!;
  let status: ApprovalStatus;
  try {
    status = await queue.submit({
      draftId: draft.draftId,
      businessId: Number(ctx.businessId),
      chatId: Number(draft.chatId),
      text: draft.text,
      // No mark known: every seller message in the chat counts as "meanwhile" — the cautious end.
      seenMessageId: draft.seenMessageId ?? 0,
      createdAt: draft.createdAt,
    });
  } catch (error) {
    ctx.drafts.release(draft);
    const why = error instanceof Error ? error.message : String(error);
    record(ctx, { ...subject, event: 'outcome', outcome: 'notSent', reason: `approval queue: ${why}` });
    return errorResult(
      `Not sent and not queued: the approval queue could not be written (${why}). The draft is still open.`,
    );
  }
  ctx.drafts.settle(draft, 'queued');
  record(ctx, { ...subject, event: 'outcome', outcome: 'queued' });
  return approvalResult(ctx, draft.draftId, status);
}

/**
 * No person can confirm here (no elicitation) and the draft cannot wait for one (no queue, a dry run, or a
 * file): the refusal, with what the person can change. `shown` is what they should read.
 */
export function withoutPerson(
  ctx: ToolContext,
  shown: string,
  what: 'reply' | 'file' = 'reply',
): { reason: string; summary: string } {
  if (what === 'reply' && ctx.dryRun && ctx.approvals !== undefined) {
    return {
      summary: 'dry run: the draft would wait for a person, nothing queued',
      reason:
        'Dry run: this client cannot ask the person, so the draft would wait for their approval; in a dry run ' +
        'nothing is queued and nothing is sent.',
    };
  }
  const remedy =
    what === 'file'
      ? 'Files are sent only with the person’s answer in a client that can ask them (MCP elicitation); the ' +
        'person can also send the file from the web inbox.'
      : 'To send replies from here, the person can start the server with --store (drafts then wait for their ' +
        'approval in the web inbox or `ym-chats mcp approve`) or use an MCP client that supports elicitation.';
  return {
    summary: `no person to confirm: the client cannot ask${what === 'reply' ? ' and there is no approval queue' : ''}`,
    reason:
      'NOT SENT, and confirm: true cannot change that: this client cannot ask the person (no MCP ' +
      `elicitation), and an assistant's own confirmation does not count. ${remedy} Tell the person, and show ` +
      `them this:\n\n${shown}`,
  };
}

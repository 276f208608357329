/**
 * One confirmed send, the same for replies and files: audit line first, then the server's hourly budget
 * and the API call (neither in a dry run), then the outcome line. Outcomes are the SDK's (`sendOutcome`):
 * it repeats a send only when the platform provably did not act, and marks every other failure `maybeSent`.
 */
import { ChatsApiError, sendOutcome } from '@ym-chats/sdk';
import type { AuditEvent } from './audit.js';
import type { ToolContext } from './context.js';
import { explainApiError } from './errors.js';

export type Delivery =
  | { outcome: 'sent' | 'dryRun' }
  | { outcome: 'maybeSent'; reason: string }
  | { outcome: 'notSent'; reason: string };

type Subject = Omit<AuditEvent, 'event' | 'outcome' | 'reason' | 'confirmedBy' | 'dryRun'>;

export async function deliver(
  ctx: ToolContext,
  subject: Subject,
  confirmedBy: AuditEvent['confirmedBy'],
  send: () => Promise<unknown>,
): Promise<Delivery> {
  const dryRun = ctx.dryRun ? { dryRun: true } : {};
  try {
    ctx.audit.append({ ...subject, event: 'attempt', confirmedBy, ...dryRun });
  } catch (error) {
    ctx.logger.warn(`audit log ${ctx.audit.path} cannot be written: ${String(error)}`);
    return {
      outcome: 'notSent',
      reason:
        'Not sent: the audit log cannot be written, and nothing is sent without a record. Tell the person.',
    };
  }
  const delivery = ctx.dryRun ? ({ outcome: 'dryRun' } as const) : await sendWithinBudget(ctx, send);
  record(ctx, {
    ...subject,
    event: 'outcome',
    outcome: delivery.outcome,
    ...('reason' in delivery ? { reason: delivery.reason } : {}),
    ...dryRun,
  });
  return delivery;
}

async function sendWithinBudget(ctx: ToolContext, send: () => Promise<unknown>): Promise<Delivery> {
  const budget = ctx.budget.take();
  if (!budget.ok) {
    return {
      outcome: 'notSent',
      reason:
        `Not sent: this server makes at most ${ctx.budget.perHour} send${ctx.budget.perHour === 1 ? '' : 's'} an hour (--max-sends-per-hour); ` +
        `the next one is possible at ${budget.nextAt.toISOString()}.`,
    };
  }
  try {
    await send();
    return { outcome: 'sent' };
  } catch (error) {
    if (error instanceof ChatsApiError && sendOutcome(error).outcome === 'maybeSent') {
      return {
        outcome: 'maybeSent',
        reason:
          `The send MAY HAVE BEEN DELIVERED: ${error.message.replace(/\.?\s*The request may have reached[\s\S]*$/, '')}. ` +
          'It will not be repeated automatically. Check the chat with get_chat_history before doing anything else.',
      };
    }
    return { outcome: 'notSent', reason: explainApiError(error, 'Not sent') };
  }
}

/** Outcome lines after the fact: a failure to write is logged, the send's result still reported. */
export function record(ctx: ToolContext, event: AuditEvent): void {
  try {
    ctx.audit.append(event);
  } catch (error) {
    ctx.logger.warn(`audit log ${ctx.audit.path} cannot be written: ${String(error)}`);
  }
}

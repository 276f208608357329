/**
 * One confirmed send, the same for replies and files: audit line first, then the API call (unless dry
 * run), then the outcome line. Outcomes follow the SDK: it repeats a send only when the platform provably
 * did not act, and marks every other failure `maybeSent`.
 */
import { ChatsApiError } from '@ym-chats/sdk';
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
  let delivery: Delivery;
  if (ctx.dryRun) delivery = { outcome: 'dryRun' };
  else {
    try {
      await send();
      delivery = { outcome: 'sent' };
    } catch (error) {
      delivery =
        error instanceof ChatsApiError && error.maybeSent
          ? {
              outcome: 'maybeSent',
              reason:
                `The send MAY HAVE BEEN DELIVERED: ${error.message.replace(/\.?\s*The request may have reached[\s\S]*$/, '')}. ` +
                'It will not be repeated automatically. Check the chat with get_chat_history before doing anything else.',
            }
          : { outcome: 'notSent', reason: `${explainApiError(error, 'Not sent')}` };
    }
  }
  record(ctx, {
    ...subject,
    event: 'outcome',
    outcome: delivery.outcome,
    ...('reason' in delivery ? { reason: delivery.reason } : {}),
    ...dryRun,
  });
  return delivery;
}

/** Outcome lines after the fact: a failure to write is logged, the send's result still reported. */
export function record(ctx: ToolContext, event: AuditEvent): void {
  try {
    ctx.audit.append(event);
  } catch (error) {
    ctx.logger.warn(`audit log ${ctx.audit.path} cannot be written: ${String(error)}`);
  }
}

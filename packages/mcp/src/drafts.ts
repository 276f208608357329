/**
 * Drafts: a text bound to one chat, fixed when it is made. The person confirms exactly this text for
 * exactly this chat, and it leaves at most once. Kept in memory for the server's lifetime; a restart
 * forgets open drafts, which can then never be sent (the safe direction).
 *
 * Life of a draft:
 *   open ──send_reply──▶ sending ──▶ sent | maybeSent | dryRun   (final: never sendable again)
 *     ▲                     │     └──▶ queued (a person decides elsewhere; the approval queue knows the rest)
 *     └── refused / not delivered (the API provably did not act): open again, a new confirmation needed
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Id } from '@ym-chats/sdk';

export type DraftState = 'open' | 'sending' | 'sent' | 'maybeSent' | 'dryRun' | 'queued';

export interface Draft {
  readonly draftId: string;
  readonly chatId: Id;
  /** The chat as the person sees it in the confirmation: "chat 40000012 · ORDER 50000003 · Анна · …". */
  readonly chatLabel: string;
  readonly text: string;
  readonly textSha256: string;
  /**
   * The newest message of the chat the assistant could have read when drafting (its source: the store, or
   * the API). Recorded only when drafts can go to the approval queue, whose send is checked against it.
   */
  readonly seenMessageId?: number;
  readonly createdAt: string;
  state: DraftState;
  /** When the final state was reached. */
  settledAt?: string;
}

/**
 * Drafts remembered at most, so an assistant looping on draft_reply cannot grow memory without bound. The
 * oldest go first; a forgotten id reads as unknown, which refuses the send (never the reverse).
 */
export const MAX_DRAFTS = 1000;

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export class DraftBook {
  private readonly drafts = new Map<string, Draft>();

  constructor(private readonly now: () => Date) {}

  create(chatId: Id, chatLabel: string, text: string, seenMessageId?: number): Draft {
    for (const old of this.drafts.values()) {
      if (this.drafts.size < MAX_DRAFTS) break;
      if (old.state !== 'sending') this.drafts.delete(old.draftId);
    }
    const draft: Draft = {
      draftId: `draft-${randomUUID()}`,
      chatId,
      chatLabel,
      text,
      textSha256: sha256(text),
      ...(seenMessageId === undefined ? {} : { seenMessageId }),
      createdAt: this.now().toISOString(),
      state: 'open',
    };
    this.drafts.set(draft.draftId, draft);
    return draft;
  }

  get(draftId: string): Draft | undefined {
    return this.drafts.get(draftId);
  }

  /** Claims an open draft for one send attempt; synchronous, so two concurrent calls cannot both win. */
  claim(draftId: string): { claimed: Draft } | { refused: string; draft?: Draft } {
    const draft = this.drafts.get(draftId);
    if (draft === undefined) {
      return {
        refused: `There is no draft "${draftId}" (unknown, or forgotten after a restart). Make one with draft_reply.`,
      };
    }
    const refuse = (refused: string) => ({ refused, draft });
    switch (draft.state) {
      case 'open':
        draft.state = 'sending';
        return { claimed: draft };
      case 'sending':
        return refuse(`Draft ${draftId} is being confirmed or sent right now; nothing more was sent.`);
      case 'sent':
        return refuse(
          `Draft ${draftId} was already sent at ${draft.settledAt}; a draft is sent at most once. Nothing was sent.`,
        );
      case 'dryRun':
        return refuse(
          `Draft ${draftId} was already used in a dry run at ${draft.settledAt}. Nothing was sent.`,
        );
      case 'queued':
        return refuse(
          `Draft ${draftId} waits for a person's approval since ${draft.settledAt}; only they can send it. Nothing was sent.`,
        );
      case 'maybeSent':
        return refuse(
          `Draft ${draftId} MAY HAVE BEEN DELIVERED at ${draft.settledAt} (the outcome is unknown) and will not ` +
            'be sent again. Read the chat with get_chat_history; only if the message is not there and the person ' +
            'decides to send it again, make a new draft.',
        );
    }
  }

  /** Back to open: the attempt was refused or provably did not reach the platform. */
  release(draft: Draft): void {
    if (draft.state === 'sending') draft.state = 'open';
  }

  settle(draft: Draft, state: 'sent' | 'maybeSent' | 'dryRun' | 'queued'): void {
    draft.state = state;
    draft.settledAt = this.now().toISOString();
  }

  /** Earlier drafts with the same text for the same chat that went out or may have: a warning for the person. */
  priorSends(draft: Draft): Draft[] {
    return [...this.drafts.values()].filter(
      (d) =>
        d !== draft &&
        String(d.chatId) === String(draft.chatId) &&
        d.textSha256 === draft.textSha256 &&
        (d.state === 'sent' || d.state === 'maybeSent'),
    );
  }
}

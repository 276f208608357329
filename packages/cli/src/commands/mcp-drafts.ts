/**
 * `ym-chats mcp drafts | approve DRAFT_ID | discard DRAFT_ID`: a person deciding, from a terminal, on the
 * replies the assistant drafted with a client that could not ask them. Approving sends through the web
 * inbox's desk over the same store (@ym-chats/inbox): the same ledger, the same checks, at most once.
 */
import { str } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { loadOptional } from '../optional-package.js';
import { safeLine, safeText } from '../output/safe-text.js';
import type { CommandContext } from './command.js';
import { loadSync, openCliStore } from './sync.js';

type InboxModule = typeof import('@ym-chats/inbox');
type TerminalOutcome = import('@ym-chats/inbox').TerminalOutcome;

export const DRAFT_ACTIONS = ['drafts', 'approve', 'discard'] as const;
export type DraftAction = (typeof DRAFT_ACTIONS)[number];

export function loadInbox(why: string): Promise<InboxModule> {
  return loadOptional<InboxModule>('@ym-chats/inbox', () => import('@ym-chats/inbox'), why);
}

/** The person deciding, as the inbox names them: `--as LOGIN`, or the local user. */
function decider(ctx: CommandContext): string {
  const login = str(ctx.values, 'as') ?? 'local';
  if (login.trim() === '' || login.length > 200) throw new UsageError('--as needs an inbox login');
  return login;
}

/** Every outcome but "sent" is an error the caller reads: what happened, and that nothing (more) went out. */
function report(ctx: CommandContext, draftId: string, result: TerminalOutcome): number {
  const { out } = ctx;
  const { answer, draft } = result;
  if (out.json) out.document({ draftId, ...answer, ...(draft ? { chatId: draft.chatId } : {}) });
  const chat = draft ? `chat ${draft.chatId}` : 'its chat';
  switch (answer.state) {
    case 'sent': {
      if (!out.json) {
        const id = answer.messageId === undefined ? '' : ` (message ${answer.messageId})`;
        out.write(`Sent draft ${draftId} to ${chat}${id}.\n`);
        if (result.before === 'approved') out.info('It had been approved before: nothing more was sent.');
      }
      return EXIT.ok;
    }
    case 'discarded':
      if (!out.json)
        out.write(
          `Draft ${draftId} is discarded${answer.by ? ` (by ${answer.by})` : ''}; nothing was sent.\n`,
        );
      return result.before === 'waiting' ? EXIT.ok : EXIT.usage;
    case 'unknown':
      throw new CliError(
        `there is no assistant draft ${draftId} for this business in the store`,
        EXIT.usage,
        'List the waiting ones with: ym-chats mcp drafts --store … (the store the MCP server runs with).',
      );
    case 'waiting':
      throw new CliError(`draft ${draftId} still waits for a decision; nothing was sent`, EXIT.usage);
    case 'conflict': {
      const what =
        answer.code === 'REPLIED_MEANWHILE'
          ? `someone replied in ${chat} after the assistant drafted this (${[...answer.by, ...(answer.outside ? ['the seller cabinet or another integration'] : [])].join(', ')}):\n` +
            answer.messages
              .filter((m) => m.sender === 'PARTNER')
              .map((m) => `  ${safeLine(m.text ?? '(a file)')}`)
              .join('\n')
          : answer.code === 'ASSIGNED'
            ? `${chat} is assigned to ${answer.assignee}`
            : `${answer.by} is sending another reply to ${chat} right now`;
      throw new CliError(
        `nothing was sent: ${what}`,
        EXIT.usage,
        answer.code === 'BUSY'
          ? 'Try again in a moment.'
          : `Read the chat; to send the draft all the same: ym-chats mcp approve ${draftId} --anyway`,
      );
    }
    case 'checking':
    case 'maybeSent':
      throw new CliError(
        `draft ${draftId} MAY HAVE BEEN SENT to ${chat}${'message' in answer ? `: ${answer.message}` : ''}`,
        EXIT.api,
        'Look at the chat before doing anything else; the draft will not be sent again.',
      );
    case 'notSent':
      throw new CliError(`draft ${draftId} was not sent: ${answer.message}`, EXIT.api);
  }
}

export async function runDraftAction(
  ctx: CommandContext,
  action: DraftAction,
  draftId: string | undefined,
): Promise<number> {
  const { out, values } = ctx;
  if (action !== 'drafts' && draftId === undefined) throw new UsageError(`mcp ${action} needs a DRAFT_ID`);
  if (action === 'drafts' && draftId !== undefined) throw new UsageError('mcp drafts takes no argument');
  const { api, businessId } = ctx.connect();
  const inbox = await loadInbox('deciding on the assistant’s drafts');
  const store = await openCliStore(ctx, await loadSync());
  try {
    if (action === 'drafts') {
      const drafts = await inbox.listAssistantDrafts(store, [Number(businessId)]);
      if (out.json) {
        out.document({ drafts });
        return EXIT.ok;
      }
      if (drafts.length === 0) out.info('No drafts wait for approval.');
      for (const d of drafts) {
        out.write(`${d.draftId}  chat ${d.chatId}  ${new Date(d.createdMs).toISOString()}\n`);
        out.write(`${safeText(d.text).replace(/^/gm, '  ')}\n`);
      }
      return EXIT.ok;
    }
    const decision = {
      store,
      api,
      draftId: draftId!,
      login: decider(ctx),
      businessId: Number(businessId),
    };
    const result =
      action === 'approve'
        ? await inbox.approveAssistantDraft({ ...decision, anyway: values.anyway === true })
        : await inbox.discardAssistantDraft(decision);
    return report(ctx, draftId!, result);
  } finally {
    await store.close();
  }
}

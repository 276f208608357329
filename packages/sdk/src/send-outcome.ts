/**
 * What became of a send, in the one vocabulary every front end uses (the CLI, the inbox, MCP):
 * - `sent`: the platform took it;
 * - `maybeSent`: the request may have reached the platform, so the buyer may have it — look at the chat
 *   before sending again (the error's `maybeSent`; `verifiedResend` settles it instead);
 * - `notSent`: the platform provably did not act (refused before sending, a 4xx, a connection never
 *   made), so sending again cannot make a second copy.
 */
import { ChatsApiError, ValidationError } from './core/errors.js';

export type SendOutcome =
  | { outcome: 'sent' }
  | { outcome: 'maybeSent' | 'notSent'; code: string; message: string };

/** The outcome of a send that threw `error`. Anything but this SDK's own errors is thrown again (a bug, not an answer). */
export function sendOutcome(error: unknown): Exclude<SendOutcome, { outcome: 'sent' }> {
  if (error instanceof ValidationError)
    return { outcome: 'notSent', code: 'INVALID', message: error.message };
  if (error instanceof ChatsApiError) {
    const code = error.errors[0]?.code ?? (error.status === undefined ? error.name : `HTTP_${error.status}`);
    return { outcome: error.maybeSent ? 'maybeSent' : 'notSent', code, message: error.message };
  }
  throw error;
}

/** Runs a send and names its outcome. */
export async function outcomeOf(send: () => Promise<unknown>): Promise<SendOutcome> {
  try {
    await send();
    return { outcome: 'sent' };
  } catch (error) {
    return sendOutcome(error);
  }
}

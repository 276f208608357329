/**
 * The verdict on a send whose outcome is unknown (`maybeSent`, a lost process, a failure after the request
 * left), the SDK's way: once the platform's window is over, the history after the mark taken before
 * sending decides — delivered (once), absent (sending again cannot make a second copy) or unsure.
 */
import type { ChatsApi } from '@ym-chats/sdk';
import type { ChatKey } from '../types.js';
import type { Settled } from './ledger.js';
import { findSend, fingerprintOf, readAfter } from './platform.js';

/** What is needed to judge a send: its chat, what it sent and its mark. */
export interface UnsettledSend extends ChatKey {
  draftId: string;
  kind: 'text' | 'file';
  /** The text, or the file's name. */
  content: string;
  fileSize?: number;
  mark: number;
}

const READS = 3;

export async function judgeSend(
  api: ChatsApi,
  send: UnsettledSend,
  pause: (ms: number) => Promise<void>,
  retryMs: number,
  onError: (error: unknown) => void,
): Promise<Settled> {
  const fingerprint = fingerprintOf(
    send.kind === 'text'
      ? { text: send.content }
      : { file: { name: send.content, data: new Uint8Array(send.fileSize ?? 0) } },
  );
  for (let attempt = 0; attempt < READS; attempt++) {
    try {
      const read = await readAfter(api, send, send.mark);
      if (read === undefined) break; // the mark's message is gone from the chat: nothing can be proved
      const found = findSend(read.messages, fingerprint);
      if (found.verdict === 'delivered') {
        return found.messageId === undefined
          ? { state: 'sent' }
          : { state: 'sent', messageId: found.messageId };
      }
      if (found.verdict === 'absent' && read.complete) {
        return {
          state: 'notSent',
          errorCode: 'NOT_SENT',
          errorMessage:
            'the platform did not take this reply (its history shows no copy); nothing reached the buyer',
        };
      }
      return {
        state: 'maybeSent',
        errorCode: 'UNSURE',
        errorMessage: 'the chat has a message that may be this reply: look at the chat before sending again',
      };
    } catch (error) {
      onError(error);
      if (attempt < READS - 1) await pause(retryMs);
    }
  }
  return {
    state: 'maybeSent',
    errorCode: 'UNVERIFIED',
    errorMessage: 'the chat could not be read to check this reply: look at the chat before sending again',
  };
}

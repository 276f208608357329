/**
 * The replies on their way, per chat, for as long as the page lives: switching to another chat and back
 * must not forget a reply that is still "checking" (the agent would see neither it nor its state, and type
 * it again). Polls go on while the chat is closed; the reply box shows the list when it is open.
 */
import type { SendAnswer } from './api.js';

/**
 * One reply on its way. The page never says "not sent" for a reply it does not know was not sent: a lost
 * answer (a restarted server, a proxy's 502/504, a dropped connection) shows "may have been sent —
 * checking…" and asks the server about the same draft id until it knows. Nothing is resent by itself; a
 * draft id reaches the API at most once, and "send again" is a new draft that passes every check.
 */
export interface Outgoing {
  clientId: string;
  label: string;
  state: 'sending' | 'checking' | 'sent' | 'maybeSent' | 'notSent';
  error?: string;
  /** The newest message the page showed when the draft was started: anything newer is "meanwhile". */
  seenMessageId: number;
  /** The assignee the agent agreed to reply over. */
  acceptAssignee?: string;
  /** The message it made, once the server knows. */
  messageId?: number;
  /** What goes back into the reply box when the agent cancels at a question. */
  text?: string;
  send: (item: Outgoing) => Promise<SendAnswer>;
}

const lists = new Map<string, Outgoing[]>();
const listeners = new Map<string, Set<() => void>>();

export const chatKey = (chat: { businessId: number; chatId: number }) => `${chat.businessId}:${chat.chatId}`;

export const outbox = {
  get(key: string): Outgoing[] {
    return lists.get(key) ?? [];
  },

  update(key: string, change: (list: Outgoing[]) => Outgoing[]): void {
    lists.set(key, change(lists.get(key) ?? []));
    for (const listener of [...(listeners.get(key) ?? [])]) listener();
  },

  subscribe(key: string, listener: () => void): () => void {
    const set = listeners.get(key) ?? new Set();
    set.add(listener);
    listeners.set(key, set);
    return () => set.delete(listener);
  },

  /** Ids of the replies this page was told it sent in the chat: its own, not "someone else's" (newest 100). */
  ownMessageIds(key: string): number[] {
    return (lists.get(key) ?? [])
      .flatMap((o) => (o.state === 'sent' && o.messageId !== undefined ? [o.messageId] : []))
      .slice(-100);
  },
};

/**
 * Several files (and a caption) chosen together go out one after another, never side by side: the server
 * sends to a chat one reply at a time (the ledger's one open row per chat), so a second file started while
 * the first is on its way would be answered "busy". Each item is an ordinary reply of the outbox with its
 * own draft id; the next starts only when the one before is settled (sent, not sent, or may have been sent).
 * Kept per chat for the page's life, like the outbox, so switching chats does not drop the rest.
 */
import { type Outgoing, outbox } from './outbox.js';

/** One waiting item, with what it was made from (to give it back to the preview if the agent cancels). */
export interface BatchItem {
  item: Outgoing;
  file?: File;
  caption?: string;
}

interface Batch {
  /** The item on its way now. */
  current: BatchItem | null;
  rest: BatchItem[];
  start: (item: Outgoing) => void;
  stop: () => void;
}

const batches = new Map<string, Batch>();

const settled = (o: Outgoing) => o.state !== 'sending' && o.state !== 'checking';

function advance(key: string): void {
  const running = batches.get(key);
  if (!running) return;
  if (running.current !== null) {
    const id = running.current.item.clientId;
    const now = outbox.get(key).find((o) => o.clientId === id);
    // Not listed: the server asked a question and the item waits for the agent's answer.
    if (!now || !settled(now)) return;
  }
  const next = running.rest.shift();
  if (!next) {
    running.stop();
    batches.delete(key);
    return;
  }
  running.current = next;
  running.start(next.item);
}

export const batch = {
  /** Sends the items in order; appended to the chat's batch still on its way, if there is one. */
  run(key: string, items: BatchItem[], start: (item: Outgoing) => void): void {
    const running = batches.get(key);
    if (running) {
      running.rest.push(...items);
      running.start = start;
      advance(key);
      return;
    }
    const created: Batch = { current: null, rest: [...items], start, stop: () => undefined };
    batches.set(key, created);
    created.stop = outbox.subscribe(key, () => advance(key));
    advance(key);
  },

  /**
   * The agent answered "send anyway" about `clientId`: the rest of its batch is the same reply in their
   * eyes, so it carries what they accepted (the assignee, the newest message they were shown) rather than
   * asking again for every file.
   */
  carry(key: string, clientId: string, accepted: Pick<Outgoing, 'seenMessageId' | 'acceptAssignee'>): void {
    const running = batches.get(key);
    if (!running || running.current?.item.clientId !== clientId) return;
    running.rest = running.rest.map((b) => ({
      ...b,
      item: {
        ...b.item,
        seenMessageId: Math.max(b.item.seenMessageId, accepted.seenMessageId),
        ...(accepted.acceptAssignee === undefined ? {} : { acceptAssignee: accepted.acceptAssignee }),
      },
    }));
  },

  /**
   * The agent cancelled at a question about `clientId`: that item and everything after it stay unsent.
   * Returns their files, and the caption unless the cancelled item is the caption itself (the reply box
   * takes that back into its text as it does any cancelled text), for the preview to show again.
   */
  takeBack(key: string, clientId: string): { files: File[]; caption: string } | null {
    const running = batches.get(key);
    if (!running || running.current?.item.clientId !== clientId) return null;
    running.stop();
    batches.delete(key);
    const files = [running.current, ...running.rest].flatMap((b) => (b.file ? [b.file] : []));
    const caption = running.rest.find((b) => b.caption !== undefined)?.caption ?? '';
    return { files, caption };
  },
};

/**
 * What the pages are told live. Every event names its business, so a page only hears about chats its
 * agent may see.
 */
export type LiveEvent =
  /** A chat's messages or status changed: pages re-read the queue and, if open, the chat. */
  | { type: 'chat'; businessId: number; chatId: number }
  | { type: 'presence'; businessId: number; chatId: number; viewers: Viewer[] }
  | { type: 'assigned'; businessId: number; chatId: number; assignee: string | null; by: string }
  | { type: 'sent'; businessId: number; chatId: number; by: string; auditId: number }
  /** Live notices may have been missed (the database connection came back): re-read the queue and the open chat. */
  | { type: 'resync'; businessId: number };

export interface Viewer {
  login: string;
  name: string;
  typing: boolean;
}

/**
 * Fan-out to this process's pages. Between `serve` processes sharing a database, a `Relay` (relay.ts)
 * carries agents' actions and the store's changes; `createInbox` connects the two.
 */
export interface LiveBus {
  publish(event: LiveEvent): void;
  subscribe(listener: (event: LiveEvent) => void): () => void;
  close(): Promise<void>;
}

export class MemoryBus implements LiveBus {
  private readonly listeners = new Set<(event: LiveEvent) => void>();

  publish(event: LiveEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // One broken subscriber (a closed stream) must not stop the others.
      }
    }
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

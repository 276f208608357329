/**
 * What the pages are told live. Every event names its business, so a page only hears about chats its
 * agent may see.
 */
export type LiveEvent =
  /** A chat's messages or status changed: pages re-read the queue and, if open, the chat. */
  | { type: 'chat'; businessId: number; chatId: number }
  | { type: 'presence'; businessId: number; chatId: number; viewers: Viewer[] }
  | { type: 'assigned'; businessId: number; chatId: number; assignee: string | null; by: string }
  | { type: 'sent'; businessId: number; chatId: number; by: string; auditId: number };

export interface Viewer {
  login: string;
  name: string;
  typing: boolean;
}

/**
 * Fan-out between the inbox's parts (and, in a multi-process implementation, between `serve` processes
 * sharing a database). The in-process bus is enough for one process.
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

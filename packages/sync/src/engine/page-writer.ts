/**
 * Group commit for history pages: while one transaction is being written, pages finished by the other
 * readers queue up and go into the next one together. Each page stays atomic with its chat's position; a
 * commit's fixed cost (a lock, a round trip to PostgreSQL, the WAL write) is shared.
 *
 * A reader waits for its page's commit before its next request (see the engine), so while one reader's
 * page commits the others read on, and a crash costs at most one page per reader. Pages are committed in
 * the order they were queued; a page whose earlier page of the same read failed is refused, so a chat's
 * position never skips a page.
 */
import type { HistoryPageWrite } from '../store/mirror.js';
import type { SyncStore } from '../store/store.js';

/** One history read: its pages are refused once one of them failed to commit. */
export interface ReadChain {
  failed: unknown;
}

interface Queued {
  page: HistoryPageWrite;
  chain: ReadChain | undefined;
  resolve: (added: bigint[]) => void;
  reject: (error: unknown) => void;
}

export class PageWriter {
  private readonly queue: Queued[] = [];
  private flushing = false;

  constructor(
    private readonly store: SyncStore,
    private readonly maxGroup = 64,
  ) {}

  /** Resolves with the ids of the messages the page added, once its transaction committed. */
  write(page: HistoryPageWrite, chain?: ReadChain): Promise<bigint[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ page, chain, resolve, reject });
      if (!this.flushing) {
        // Starts on the next turn of the event loop, so pages that arrive together share a commit.
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group: Queued[] = [];
        for (const q of this.queue.splice(0, this.maxGroup)) {
          if (q.chain?.failed !== undefined) q.reject(q.chain.failed);
          else group.push(q);
        }
        if (group.length === 0) continue;
        try {
          const results = await this.store.writeHistoryPages(group.map((q) => q.page));
          for (const [i, q] of group.entries()) q.resolve(results[i]!);
        } catch (error) {
          for (const q of group) {
            if (q.chain && q.chain.failed === undefined) q.chain.failed = error;
            q.reject(error);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

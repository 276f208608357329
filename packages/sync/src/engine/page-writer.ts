/**
 * Group commit for history pages: while one transaction is being written, pages finished by the other
 * readers queue up and go into the next one together. Each page stays atomic with its chat's position, so
 * a crash still costs at most the page each reader had in flight; a commit's fixed cost (a lock, a round
 * trip or two to PostgreSQL) is shared.
 */
import type { HistoryPageWrite } from '../store/mirror.js';
import type { SyncStore } from '../store/store.js';

interface Queued {
  page: HistoryPageWrite;
  resolve: (added: bigint[]) => void;
  reject: (error: unknown) => void;
}

export class PageWriter {
  private readonly queue: Queued[] = [];
  private flushing = false;

  constructor(
    private readonly store: SyncStore,
    private readonly maxGroup = 8,
  ) {}

  /** Resolves with the ids of the messages the page added, once its transaction committed. */
  write(page: HistoryPageWrite): Promise<bigint[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ page, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxGroup);
        try {
          const results = await this.store.writeHistoryPages(group.map((q) => q.page));
          for (const [i, q] of group.entries()) q.resolve(results[i]!);
        } catch (error) {
          for (const q of group) q.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

/**
 * Works through the inbound queue after the notifications were acknowledged. Notifications are hints:
 * a burst for one chat becomes one history read from the last stored message (getChatHistory, the most
 * generous quota, 100 a page) instead of one getChatMessage per push, and a push whose message is
 * already stored costs nothing. CHAT_CREATED and the arbitrage notifications read the chat itself
 * (getChat), since no message tells its new status or type.
 */
import type { ChatsApi } from '@ym-chats/sdk';
import type { SyncEngine } from '../engine/engine.js';
import { refreshChat } from '../engine/refresh-chat.js';
import { DEFAULT_PUSH_RETRY_MS, type FailureWait, failureWait } from '../runner/policy.js';
import type { QueuedNotification } from '../store/inbound.js';
import { isoNow } from '../time.js';
import { unprocessedFor } from './queue.js';

export interface ProcessorStats {
  rounds: number;
  historyReads: number;
  chatReads: number;
  processed: number;
  errors: number;
}

export class NotificationProcessor {
  readonly stats: ProcessorStats = { rounds: 0, historyReads: 0, chatReads: 0, processed: 0, errors: 0 };
  private running: Promise<void> | undefined;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Waiting out a used-up quota: a push meanwhile only adds to the queue the wait's end works through. */
  private holding = false;

  constructor(
    private readonly api: ChatsApi,
    private readonly engine: SyncEngine,
    private readonly options: {
      /** After a failed round, quota aside (a used-up hourly window is waited out: see `failureWait`). */
      retryMs?: number;
      settleMs?: number;
      /** The platform's clock, by which a quota's reset is read (the client's `rateLimit.now`). */
      now?: () => number;
      onError?: (error: unknown, wait: FailureWait) => void;
    } = {},
  ) {}

  /** Asks for a round soon; rounds never overlap, and a wake-up during one schedules another. */
  wake(): void {
    if (this.closed || this.holding) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once the queue is empty (or the current round failed and a retry is scheduled). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.idle();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.closed && (await this.round()) > 0) {
          // keep going while the queue has work
        }
      } catch (error) {
        this.stats.errors += 1;
        const now = (this.options.now ?? Date.now)();
        const wait = failureWait(error, this.options.retryMs ?? DEFAULT_PUSH_RETRY_MS, now);
        this.options.onError?.(error, wait);
        // The queue keeps what failed; try again later (the API may be down, the quota used up).
        if (!this.closed) {
          this.holding = wait.why === 'quota';
          this.retryTimer = setTimeout(() => {
            this.holding = false;
            this.wake();
          }, wait.ms);
          this.retryTimer.unref();
        }
        return;
      }
    } while (this.again && !this.closed);
  }

  /** One batch from the queue, grouped by chat. Returns how many notifications it settled. */
  async round(): Promise<number> {
    const store = this.engine.store;
    const queued = await unprocessedFor(store.database(), this.engine.businessId, 2000);
    if (queued.length === 0) return 0;
    this.stats.rounds += 1;
    const byChat = new Map<bigint, QueuedNotification[]>();
    for (const n of queued) {
      const list = byChat.get(n.chatId) ?? [];
      list.push(n);
      byChat.set(n.chatId, list);
    }
    const work = [...byChat.entries()];
    let next = 0;
    const worker = async () => {
      // Once closed (a stop, a lease handed over), chats not yet begun stay queued for the next holder.
      while (next < work.length && !this.closed) {
        const [chatId, notes] = work[next++]!;
        await this.settleChat(chatId, notes);
        await store.markProcessed(
          notes.map((n) => n.inboundId),
          isoNow(),
        );
        this.stats.processed += notes.length;
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, work.length) }, worker));
    return queued.length;
  }

  private async settleChat(chatId: bigint, notes: QueuedNotification[]): Promise<void> {
    const store = this.engine.store;
    const b = this.engine.businessId;
    if (notes.some((n) => n.type !== 'CHAT_MESSAGE_SENT')) {
      this.stats.chatReads += 1;
      const settleMs = this.options.settleMs ?? 5000;
      const done = await refreshChat(this.api, this.engine, chatId, { history: 'if-changed', settleMs });
      if (done.historyPages > 0) {
        this.stats.historyReads += 1;
        return;
      }
    }
    const wanted = notes.filter((n) => n.messageId !== null).map((n) => BigInt(n.messageId!));
    if (wanted.length > 0 && !(await store.hasMessages(b, wanted))) {
      this.stats.historyReads += 1;
      await this.engine.readHistory(chatId, null);
    }
  }
}

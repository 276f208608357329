/**
 * One business on one worker: its sync engine and push-queue processor, run while the worker holds the
 * business's lease. `watch` repeats passes every interval; `serve` reconciles on start and every few
 * minutes and otherwise acts on pushes. Stopping aborts the pass in flight: its position is in the store,
 * so whichever worker holds the business next resumes it.
 */
import { type ChatsApi, RateLimitError } from '@ym-chats/sdk';
import { NotificationProcessor, type PassResult, pause, SyncEngine, type SyncStore } from '@ym-chats/sync';
import type { Gate } from './gate.js';

export type RunMode = 'watch' | 'serve';

export interface RunnerOptions {
  businessId: bigint;
  api: ChatsApi;
  store: SyncStore;
  mode: RunMode;
  /** Between passes: `watch` interval, `serve` reconcile period (0: only the first pass… none for serve). */
  periodMs: number;
  /** After a failed pass or round (API or database down). */
  retryMs: number;
  settleMs?: number;
  /** Limits the passes running at once on this worker. */
  gate: Gate;
  onPass?: (businessId: bigint, result: PassResult) => void;
  onError?: (businessId: bigint, error: unknown, where: 'pass' | 'process') => void;
}

export class BusinessRunner {
  readonly engine: SyncEngine;
  readonly processor: NotificationProcessor;
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  passing = false;

  constructor(private readonly options: RunnerOptions) {
    this.engine = new SyncEngine({
      api: options.api,
      store: options.store,
      businessId: options.businessId,
      ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
    });
    this.processor = new NotificationProcessor(options.api, this.engine, {
      retryMs: options.retryMs,
      ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
      onError: (error) => options.onError?.(options.businessId, error, 'process'),
    });
  }

  start(): void {
    // Work acknowledged before this worker held the business (or while nobody did).
    this.processor.wake();
    this.loop = this.run();
  }

  wake(): void {
    this.processor.wake();
  }

  private async run(): Promise<void> {
    const { mode, periodMs, retryMs } = this.options;
    const signal = this.controller.signal;
    if (mode === 'serve' && periodMs <= 0) return;
    while (!signal.aborted) {
      let waitMs = periodMs;
      try {
        const result = await this.options.gate.run(async () => {
          if (signal.aborted) return undefined;
          this.passing = true;
          try {
            return await this.engine.pass(mode === 'watch' ? 'watch' : 'reconcile', signal);
          } finally {
            this.passing = false;
          }
        });
        if (result !== undefined) this.options.onPass?.(this.options.businessId, result);
      } catch (error) {
        if (signal.aborted) break;
        this.options.onError?.(this.options.businessId, error, 'pass');
        // Quota spent: the window's reset says when to go on; anything else is retried soon.
        waitMs =
          error instanceof RateLimitError && error.resetAt !== undefined
            ? Math.max(retryMs, error.resetAt.getTime() - Date.now())
            : retryMs;
      }
      await pause(waitMs, signal);
    }
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.processor.close();
    await this.loop;
  }
}

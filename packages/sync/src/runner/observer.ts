/**
 * What a business runner tells whoever watches it (the metrics, `metrics/`): when it starts and stops, how
 * long each pass took, and every failure of a pass or a push round. The runner calls these and nothing
 * more; what they become (counters, gauges, logs) is the observer's business, so the runner shared by
 * `serve`, `sync --watch` and the workers stays free of any metrics library.
 */
import type { QuotaSnapshot } from '@ym-chats/sdk';

export interface RunnerObserver {
  /**
   * The runner began (`start()`). `quota` reads the business's figures per method as its client's limiter
   * knows them (from the platform's rate-limit headers), until `stopped`.
   */
  started?(businessId: bigint, quota: () => Promise<QuotaSnapshot[]>): void;
  /** The runner stopped: this process no longer runs the business. */
  stopped?(businessId: bigint): void;
  /** A pass ended after `seconds` (an aborted pass, one stopped midway, is not reported). */
  passEnded?(businessId: bigint, seconds: number, outcome: 'passed' | 'failed'): void;
  /** A pass, or a round of the push queue, failed with `error` (a 420, the API or the database away). */
  failed?(businessId: bigint, where: 'pass' | 'process', error: unknown): void;
}

/**
 * One business, run: its passes (on start and every period), its push-queue processor, the waits after a
 * failure (a used-up quota until its window ends: `policy.ts`), and a stop that hands the business over.
 * `serve` and `startReceiver`, `sync --watch` and every worker's businesses all run through this class.
 *
 * Stopping aborts the pass in flight (its position is in the store, so whoever runs the business next
 * resumes it) and lets the processor finish the chats it has begun; notifications not yet acted on stay
 * in the store's queue. Once `stop()` resolves nothing of the business runs here any more: a worker may
 * give its lease back.
 */
import type { ChatsApi, Id } from '@ym-chats/sdk';
import { SyncEngine } from '../engine/engine.js';
import type { PassResult, SyncProgress } from '../engine/progress.js';
import type { OrderFillOptions } from '../orders/order-fill.js';
import { pause } from '../pause.js';
import { NotificationProcessor } from '../receiver/processor.js';
import type { SyncStore } from '../store/store.js';
import type { RunnerObserver } from './observer.js';
import {
  DEFAULT_PASS_RETRY_MS,
  DEFAULT_PUSH_RETRY_MS,
  type FailureWait,
  nextStep,
  type RunPolicy,
  type RunStep,
} from './policy.js';

/** Limits the passes running at once across several runners (a worker's `Gate`). */
export interface PassGate {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export type RunnerPolicy = Pick<RunPolicy, 'periodMs'> & Partial<RunPolicy>;

export interface BusinessRunnerOptions {
  api: ChatsApi;
  store: SyncStore;
  businessId: Id;
  /** Defaults: `reconcile` passes, retried after a minute, push rounds after 5 s, unbounded. */
  policy: RunnerPolicy;
  /** Whether it acts on the store's push queue (default true; `sync --watch` has no pushes). */
  pushes?: boolean;
  gate?: PassGate;
  settleMs?: number;
  /**
   * The orders and returns behind the chats, read after each pass (sync's `src/orders/`); on by default,
   * `false` turns it off. Give `keyFingerprint` (`keyFingerprint(key)`) so a key without the order scope is
   * asked again only once it changes.
   */
  orders?: OrderFillOptions | false;
  /** The platform's clock, by which a quota's reset is read: give the client's `rateLimit.now` if it has one. */
  now?: () => number;
  onProgress?: (progress: SyncProgress) => void;
  /** Awaited before the next pass is scheduled (so what it prints comes before the next one's). */
  onPass?: (result: PassResult) => void | Promise<void>;
  /** A failure the runner goes on after, with the wait it chose (a quota's reset, or the retry). */
  onError?: (error: unknown, where: 'pass' | 'process', wait: FailureWait) => void;
  /** Told of starts, stops, pass durations and every failure (the metrics: `observer.ts`). */
  observer?: RunnerObserver;
}

type PassOutcome =
  | { kind: 'passed'; result: PassResult }
  | { kind: 'failed'; error: unknown; step: RunStep }
  | { kind: 'aborted' };

const NO_GATE: PassGate = { run: (task) => task() };

export class BusinessRunner {
  readonly engine: SyncEngine;
  readonly processor: NotificationProcessor;
  readonly policy: RunPolicy;
  private readonly controller = new AbortController();
  private readonly now: () => number;
  private current: Promise<PassOutcome> | undefined;
  private loop: Promise<void> | undefined;
  private looping = false;
  #passing = false;
  /** Passes failed in a row: each waits longer (policy.ts `failureWait`); a pass that succeeds resets it. */
  #failures = 0;

  constructor(private readonly options: BusinessRunnerOptions) {
    this.policy = {
      trigger: 'reconcile',
      retryMs: DEFAULT_PASS_RETRY_MS,
      pushRetryMs: DEFAULT_PUSH_RETRY_MS,
      onFailure: 'retry',
      ...options.policy,
    };
    this.now = options.now ?? Date.now;
    const settle = options.settleMs === undefined ? {} : { settleMs: options.settleMs };
    this.engine = new SyncEngine({
      api: options.api,
      store: options.store,
      businessId: options.businessId,
      ...settle,
      ...(options.orders === false ? {} : { orders: options.orders ?? {} }),
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    this.processor = new NotificationProcessor(options.api, this.engine, {
      retryMs: this.policy.pushRetryMs,
      now: this.now,
      ...settle,
      onError: (error, wait) => {
        options.observer?.failed?.(this.businessId, 'process', error);
        options.onError?.(error, 'process', wait);
      },
    });
  }

  get businessId(): bigint {
    return this.engine.businessId;
  }

  /** A pass is running (a worker gives idle businesses back first). */
  get passing(): boolean {
    return this.#passing;
  }

  /**
   * Starts the passes and acts on what the queue already holds (acknowledged before this runner, or while
   * nobody ran the business). The returned promise ends with the passes: at `stop()`, after `maxPasses`,
   * at once with no passes, or rejected with the failure that stopped a `stop`-on-failure runner.
   */
  start(): Promise<void> {
    if (this.loop !== undefined) return this.loop;
    if (this.options.pushes !== false) this.processor.wake();
    const { api, observer } = this.options;
    observer?.started?.(this.businessId, () => api.quotaState(this.businessId));
    this.looping = true;
    this.loop = this.run().finally(() => {
      this.looping = false;
    });
    // Owners that only ever call stop() must not see an unhandled rejection; start()'s caller still does.
    this.loop.catch(() => undefined);
    return this.loop;
  }

  /** A push for this business was queued: act on it soon. */
  wake(): void {
    if (this.options.pushes !== false) this.processor.wake();
  }

  /**
   * One pass now, or the one already running (passes never overlap); undefined when it failed (reported
   * through `onError`) or was stopped.
   */
  async passNow(): Promise<PassResult | undefined> {
    const outcome = await this.pass();
    return outcome.kind === 'passed' ? outcome.result : undefined;
  }

  /** Hands the business over: see the file's comment. Safe to call more than once. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.processor.close();
    await this.loop?.catch(() => undefined);
    await this.current;
    this.options.observer?.stopped?.(this.businessId);
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    let passes = 0;
    let step = nextStep(this.policy, { kind: 'started' }, this.now());
    while (step.kind === 'pass') {
      await pause(step.inMs, signal);
      if (signal.aborted) return;
      const outcome = await this.pass();
      if (outcome.kind === 'aborted' || signal.aborted) return;
      if (outcome.kind === 'failed') step = outcome.step;
      else step = nextStep(this.policy, { kind: 'passed', passes: ++passes }, this.now());
    }
    if (step.why === 'failed') throw step.error;
  }

  private pass(): Promise<PassOutcome> {
    if (this.current !== undefined) return this.current;
    const current = (this.options.gate ?? NO_GATE).run(() => this.passOnce());
    this.current = current;
    const clear = () => {
      if (this.current === current) this.current = undefined;
    };
    void current.then(clear, clear);
    return current;
  }

  private async passOnce(): Promise<PassOutcome> {
    const signal = this.controller.signal;
    if (signal.aborted) return { kind: 'aborted' };
    let result: PassResult;
    this.#passing = true;
    const observer = this.options.observer;
    const began = performance.now();
    const ended = (outcome: 'passed' | 'failed') =>
      observer?.passEnded?.(this.businessId, (performance.now() - began) / 1000, outcome);
    try {
      result = await this.engine.pass(this.policy.trigger, signal);
    } catch (error) {
      if (signal.aborted) return { kind: 'aborted' };
      ended('failed');
      observer?.failed?.(this.businessId, 'pass', error);
      this.#failures += 1;
      const step = nextStep(this.policy, { kind: 'failed', error, failures: this.#failures }, this.now());
      // A failure that ends the loop is the loop's result; any other is reported here, once.
      if (step.kind === 'pass' && step.why === 'after-failure')
        this.options.onError?.(error, 'pass', step.failure);
      else if (!this.looping)
        this.options.onError?.(error, 'pass', { why: 'retry', ms: this.policy.retryMs });
      return { kind: 'failed', error, step };
    } finally {
      this.#passing = false;
    }
    this.#failures = 0;
    ended('passed');
    await this.options.onPass?.(result);
    return { kind: 'passed', result };
  }
}

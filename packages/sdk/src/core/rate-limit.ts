import {
  MAX_CONCURRENT_PER_BUSINESS,
  OPERATION_IDS,
  OPERATIONS,
  type OperationId,
  type OperationSpec,
  quotaKey,
} from '../operations.js';
import { monotonicMs } from './clock.js';
import { RateLimitError, TimeoutError } from './errors.js';
import {
  type AcquireResult,
  HOUR_MS,
  type HoldRequest,
  MemoryQuotaStore,
  type QuotaState,
  type QuotaStore,
} from './quota-store.js';
import { sleep } from './sleep.js';

export type { QuotaState, QuotaStore } from './quota-store.js';

export interface RateLimitOptions {
  /** Hourly quotas per operation; defaults are the documented 2026 figures. */
  limits?: Partial<Record<OperationId, number>>;
  /** `queue` waits for capacity (up to `maxWaitMs`), `reject` throws a RateLimitError at once. */
  mode?: 'queue' | 'reject';
  /** Parallel requests per business; the platform answers a fifth with 420. */
  maxConcurrent?: number;
  /** Longest a call may wait for its quota window to reset before it fails instead. */
  maxWaitMs?: number;
  /**
   * Where windows and slot leases live. Default: a `MemoryQuotaStore` of this client. Share one store
   * between clients (or, through @ym-chats/redis, between processes) to share the business's limits.
   */
  store?: QuotaStore;
  /**
   * How long a slot stays leased when its holder never gives it back (a killed process). Must outlast
   * any hold of a slot — the client's `timeoutMs`, and 11 s after sending for an attempt that got no
   * answer — plus 1 s; ChatsApi refuses a shorter one. Default the client's `timeoutMs` plus 5 s, at least
   * 20 000.
   */
  leaseMs?: number;
  /**
   * The platform's clock (epoch ms) by which quota windows open and close. Default `Date.now`. Every
   * client sharing a store must use the same clock, within a second or so of the platform's.
   */
  now?: () => number;
}

/**
 * Ends an attempt: frees its slot and records the quota the server reported. `answered`: a response
 * came that may open a probe window even without figures (see `ReleaseRequest.answered`).
 */
export interface Release {
  (reported?: QuotaState, answered?: boolean): void | Promise<void>;
  /** The attempt got no answer and keeps its slot until the release: only its probe ends now. */
  hold(): void | Promise<void>;
}

export interface QuotaSnapshot {
  operation: OperationId;
  limit: number;
  remaining: number;
  resetAt: Date;
}

/** Longest pause between two looks at the store while every slot is leased (when it cannot wake us). */
const SLOT_POLL_MS = 250;
/** Pauses between tries while the store is unreachable. */
const STORE_RETRY_MS = [50, 100, 200, 400, 800, 1000];

/** A caller waiting in this client for a business's slot: only the first asks the store. */
interface Waiter {
  wake: () => void;
  /** Woken while not pausing (say, during a store round trip): the next pause returns at once. */
  woken: boolean;
}

/** The last `Until` header seen, parsed once: every response carries the same value for an hour. */
let untilCache = { text: '', ms: Number.NaN };

function parseUntil(text: string): number {
  if (text !== untilCache.text) untilCache = { text, ms: Date.parse(text) };
  return untilCache.ms;
}

/** Reads `X-RateLimit-Resource-*` headers; undefined when the response carried none. */
export function quotaFromHeaders(header: (name: string) => string | undefined): QuotaState | undefined {
  const limit = header('x-ratelimit-resource-limit');
  const remaining = header('x-ratelimit-resource-remaining');
  const until = header('x-ratelimit-resource-until');
  if (limit === undefined || remaining === undefined || until === undefined) return undefined;
  const state = { limit: Number(limit), remaining: Number(remaining), resetAt: parseUntil(until) };
  return Number.isFinite(state.limit) && Number.isFinite(state.remaining) && Number.isFinite(state.resetAt)
    ? state
    : undefined;
}

/**
 * Keeps each business under its hourly quotas and its parallel-request cap, so the client waits (or
 * refuses) instead of provoking 420s. Every decision is the store's (`quota-store.ts`); the limiter
 * queues this client's callers per business, waits for slots or windows, and reports each response's
 * `X-RateLimit-Resource-*` figures back to the store.
 */
export class RateLimiter {
  private readonly limits: Record<OperationId, number>;
  private readonly mode: 'queue' | 'reject';
  private readonly maxConcurrent: number;
  private readonly maxWaitMs: number;
  /** How long a slot stays leased if never released: every hold of a slot must end before it. */
  readonly leaseMs: number;
  private readonly store: QuotaStore;
  readonly now: () => number;
  /** This client's callers waiting for a slot, per business, first come first served. */
  private readonly queues = new Map<string, Waiter[]>();
  /** The store's last failure, until it answers again: what a call that timed out waiting is told. */
  storeTrouble: unknown;

  constructor(options: RateLimitOptions = {}) {
    this.limits = { ...defaultLimits(), ...options.limits } as Record<OperationId, number>;
    this.mode = options.mode ?? 'queue';
    this.maxConcurrent = options.maxConcurrent ?? MAX_CONCURRENT_PER_BUSINESS;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.leaseMs = options.leaseMs ?? 20_000;
    this.store = options.store ?? new MemoryQuotaStore();
    this.now = options.now ?? Date.now;
  }

  /**
   * Leases a slot and spends one unit of quota, both from the store. Returns the function to call when
   * the attempt ends, with the quota the server reported if a response came. `deadline`
   * (`monotonicMs()`) bounds any waiting. `id`: the business's, or the campaign's for a method counted per
   * campaign; the store's key for it is `quotaKey`'s.
   */
  acquire(
    id: string,
    operation: OperationId,
    signal?: AbortSignal,
    deadline = Number.POSITIVE_INFINITY,
  ): Release | Promise<Release> {
    const business = quotaKey(operation, id);
    const queue = this.queues.get(business);
    // The common case (nobody waiting here, a slot and quota free, a synchronous store) stays synchronous.
    if (queue === undefined || queue.length === 0) {
      const first = this.store.acquire(this.request(business, operation));
      if (!(first instanceof Promise) && first.ok) return this.ticket(business, operation, first.lease);
      return this.acquireSlowly(business, operation, first, signal, deadline);
    }
    return this.acquireSlowly(business, operation, undefined, signal, deadline);
  }

  private request(business: string, operation: OperationId) {
    return {
      business,
      operation,
      now: this.now(),
      limit: this.limits[operation],
      maxConcurrent: this.capOf(operation),
      leaseMs: this.leaseMs,
    };
  }

  /** An operation's own parallel cap (getBusinessOrders: 6), else the shared one (the platform's 4). */
  private capOf(operation: OperationId): number {
    return (OPERATIONS[operation] as OperationSpec).parallel ?? this.maxConcurrent;
  }

  private async acquireSlowly(
    business: string,
    operation: OperationId,
    first: AcquireResult | Promise<AcquireResult> | undefined,
    signal: AbortSignal | undefined,
    deadline: number,
  ): Promise<Release> {
    let queue = this.queues.get(business);
    if (queue === undefined) {
      queue = [];
      this.queues.set(business, queue);
    }
    const me: Waiter = { wake: () => {}, woken: false };
    me.wake = () => {
      me.woken = true;
    };
    let pending = first;
    let storeError: unknown;
    let failures = 0;
    queue.push(me);
    try {
      for (;;) {
        if (queue[0] !== me) await this.pause(me, Number.POSITIVE_INFINITY, signal, deadline, storeError);
        if (queue[0] !== me) continue;
        let result: AcquireResult;
        try {
          result = await (pending ?? this.store.acquire(this.request(business, operation)));
          storeError = undefined;
          this.storeTrouble = undefined;
          failures = 0;
        } catch (error) {
          // An unreachable store: wait for it within the deadline, never go without it.
          storeError = error;
          this.storeTrouble = error;
          const delay = STORE_RETRY_MS[Math.min(failures++, STORE_RETRY_MS.length - 1)] as number;
          await this.pause(me, delay, signal, deadline, storeError);
          continue;
        } finally {
          pending = undefined;
        }
        if (result.ok) return this.ticket(business, operation, result.lease);
        if (result.wait === 'slot') {
          const waitMs = Math.max(1, Math.min(result.retryInMs, SLOT_POLL_MS));
          const freed = this.store.slotFreed?.(business, waitMs);
          await this.pause(me, waitMs, signal, deadline, undefined, freed);
          continue;
        }
        // Waiting for a window to reset must not hold up this client's other callers of the business.
        this.leave(queue, me);
        const waitMs = result.state.resetAt - this.now();
        // A reset after the call's deadline is no reason to wait (and then spend a unit nobody will use).
        const tooLate = waitMs >= deadline - monotonicMs();
        if (this.mode === 'reject' || waitMs > this.maxWaitMs || tooLate) {
          const resetAt = new Date(result.state.resetAt);
          throw new RateLimitError(
            `${operation}: the hourly quota of ${result.state.limit} requests for ${whose(business)} is used up; ` +
              `it resets at ${resetAt.toISOString()}${tooLate ? ", after the call's deadline" : ''}. ` +
              'The SDK did not send the request.',
            { operation, resetAt, limit: result.state.limit, remaining: 0, local: true },
          );
        }
        await sleep(Math.max(waitMs, 1), signal);
        queue.push(me);
      }
    } finally {
      this.leave(queue, me);
    }
  }

  /**
   * Sleeps up to `ms`, or until this waiter is woken (its turn, a freed slot); rejects on abort and
   * once the deadline has passed.
   */
  private pause(
    me: Waiter,
    ms: number,
    signal: AbortSignal | undefined,
    deadline: number,
    storeError: unknown,
    freed?: Promise<void>,
  ): Promise<void> {
    const left = deadline - monotonicMs();
    if (left <= 0) return Promise.reject(this.late(storeError));
    if (me.woken) {
      me.woken = false;
      return Promise.resolve();
    }
    const idle = () => {
      me.woken = true;
    };
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        me.wake = idle;
        resolve();
      };
      const onAbort = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        me.wake = idle;
        reject(signal?.reason);
      };
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = Number.isFinite(Math.min(ms, left)) ? setTimeout(done, Math.min(ms, left)) : undefined;
      me.wake = done;
      freed?.then(done, done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private late(storeError: unknown): Error {
    return new TimeoutError(`the call's deadline passed ${this.waitingFor(storeError)}; nothing was sent`);
  }

  /** What a call was waiting for when its deadline passed, for the error it ends with. */
  waitingFor(storeError: unknown = this.storeTrouble): string {
    if (storeError === undefined) return 'while waiting for quota or a free slot';
    const cause = storeError instanceof Error ? storeError.message : String(storeError);
    return `while the quota store was unreachable (${cause})`;
  }

  private leave(queue: Waiter[], me: Waiter): void {
    const index = queue.indexOf(me);
    if (index < 0) return;
    queue.splice(index, 1);
    if (index === 0) queue[0]?.wake();
  }

  /** Ties a lease to the report that ends it; a second call does nothing. */
  private ticket(business: string, operation: OperationId, lease: string): Release {
    let done = false;
    const request = (): HoldRequest => ({
      business,
      operation,
      lease,
      now: this.now(),
      maxConcurrent: this.capOf(operation),
      leaseMs: this.leaseMs,
    });
    const release = (reported?: QuotaState, answered = false) => {
      if (done) return;
      done = true;
      const released = this.store.release({ ...request(), reported, answered });
      // A waiting caller of this client may take the slot now (the store wakes other clients itself).
      this.queues.get(business)?.[0]?.wake();
      return released;
    };
    const hold = () => {
      if (done) return;
      const held = this.store.hold?.(request());
      // A caller of this client waiting for the probe may go now.
      this.queues.get(business)?.[0]?.wake();
      return held;
    };
    return Object.assign(release, { hold });
  }

  /** The figures of the operations counted per business (`per: 'campaign'`: per campaign) for one id. */
  async snapshot(id: string, per: 'business' | 'campaign' = 'business'): Promise<QuotaSnapshot[]> {
    const out: QuotaSnapshot[] = [];
    const now = this.now();
    for (const operation of OPERATION_IDS) {
      if (((OPERATIONS[operation] as OperationSpec).countedPer ?? 'business') !== per) continue;
      const state = await this.store.get(quotaKey(operation, id), operation, now);
      if (state) {
        out.push({
          operation,
          limit: state.limit,
          remaining: state.remaining,
          resetAt: new Date(state.resetAt),
        });
      } else {
        const limit = this.limits[operation];
        out.push({ operation, limit, remaining: limit, resetAt: new Date(now + HOUR_MS) });
      }
    }
    return out;
  }
}

/** `campaign:5` → `campaign 5`; `1001` and `1001:getBusinessOrders` → `business 1001` (see `quotaKey`). */
function whose(key: string): string {
  return key.startsWith('campaign:') ? `campaign ${key.slice(9)}` : `business ${key.split(':')[0]}`;
}

export function defaultLimits(): Record<OperationId, number> {
  const limits = {} as Record<OperationId, number>;
  for (const id of OPERATION_IDS) limits[id] = OPERATIONS[id].hourlyQuota;
  return limits;
}

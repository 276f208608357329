import { MAX_CONCURRENT_PER_BUSINESS, OPERATION_IDS, OPERATIONS, type OperationId } from '../operations.js';
import { RateLimitError } from './errors.js';
import { sleep } from './sleep.js';

const HOUR_MS = 3_600_000;

/** One business's quota for one operation, in a fixed window ending at `resetAt`. */
export interface QuotaState {
  limit: number;
  remaining: number;
  /** Epoch milliseconds at which the window ends and the full quota is back. */
  resetAt: number;
}

export interface TakeResult {
  ok: boolean;
  state: QuotaState;
}

/**
 * Where quota windows live. Memory by default; implement this over Redis or a database to share one
 * quota between processes (`take` must then be atomic, e.g. a Lua script or a transaction).
 */
export interface QuotaStore {
  /** Spends one request if the window has any left; starts a fresh window from `fresh` when none is open. */
  take(key: string, now: number, fresh: QuotaState): TakeResult | Promise<TakeResult>;
  /**
   * Stores what the server reported, already reduced by the units still in flight. The server is the
   * authority on a new window; within the same window keep the smaller remaining count.
   */
  record(key: string, state: QuotaState): void | Promise<void>;
  get(key: string): QuotaState | undefined | Promise<QuotaState | undefined>;
}

export class MemoryQuotaStore implements QuotaStore {
  private readonly windows = new Map<string, QuotaState>();

  take(key: string, now: number, fresh: QuotaState): TakeResult {
    let state = this.windows.get(key);
    if (state === undefined || now >= state.resetAt) {
      state = { ...fresh };
      this.windows.set(key, state);
    }
    if (state.remaining <= 0) return { ok: false, state };
    state.remaining -= 1;
    return { ok: true, state };
  }

  record(key: string, state: QuotaState): void {
    const known = this.windows.get(key);
    // Within one window the count only goes down: a response never gives back units already taken.
    if (known && known.resetAt === state.resetAt && known.remaining < state.remaining) return;
    this.windows.set(key, state);
  }

  get(key: string): QuotaState | undefined {
    return this.windows.get(key);
  }
}

export interface RateLimitOptions {
  /** Hourly quotas per operation; defaults are the documented 2026 figures. */
  limits?: Partial<Record<OperationId, number>>;
  /** `queue` waits for capacity (up to `maxWaitMs`), `reject` throws a RateLimitError at once. */
  mode?: 'queue' | 'reject';
  /** Parallel requests per business; the platform answers a fifth with 420. */
  maxConcurrent?: number;
  /** Longest a call may wait for its quota window to reset before it fails instead. */
  maxWaitMs?: number;
  store?: QuotaStore;
}

/** Ends an attempt: frees its slot and records the quota the server reported, if a response came. */
export type Release = (reported?: QuotaState) => void | Promise<void>;

export interface QuotaSnapshot {
  operation: OperationId;
  limit: number;
  remaining: number;
  resetAt: Date;
}

interface Slots {
  active: number;
  waiting: Array<() => void>;
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
 * refuses) instead of provoking 420s. Learns the true remaining quota from every response's headers.
 */
export class RateLimiter {
  private readonly limits: Record<OperationId, number>;
  private readonly mode: 'queue' | 'reject';
  private readonly maxConcurrent: number;
  private readonly maxWaitMs: number;
  private readonly store: QuotaStore;
  private readonly slots = new Map<string, Slots>();
  /** Units taken per business and operation whose responses have not arrived yet. */
  private readonly pending = new Map<string, number>();

  constructor(
    options: RateLimitOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...defaultLimits(), ...options.limits } as Record<OperationId, number>;
    this.mode = options.mode ?? 'queue';
    this.maxConcurrent = options.maxConcurrent ?? MAX_CONCURRENT_PER_BUSINESS;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.store = options.store ?? new MemoryQuotaStore();
  }

  /**
   * Waits for a parallel slot, then takes one unit of quota: taking the unit only once the request can go
   * keeps queued calls from spending quota the server may already have used up. Returns the function to
   * call when the attempt ends, with the quota the server reported if a response came.
   */
  acquire(business: string, operation: OperationId, signal?: AbortSignal): Release | Promise<Release> {
    const key = `${business}:${operation}`;
    const slot = this.takeSlot(business, signal);
    // The common case (a free slot, quota left, a synchronous store) stays synchronous: no extra ticks.
    if (!(slot instanceof Promise)) {
      const taken = this.takeUnit(key, operation);
      if (!(taken instanceof Promise) && taken.ok) return this.ticket(key, slot);
      return this.acquireSlowly(business, operation, slot, taken, signal);
    }
    return this.acquireSlowly(business, operation, slot, undefined, signal);
  }

  private async acquireSlowly(
    business: string,
    operation: OperationId,
    firstSlot: Promise<() => void> | (() => void),
    firstTake: TakeResult | Promise<TakeResult> | undefined,
    signal?: AbortSignal,
  ): Promise<Release> {
    const key = `${business}:${operation}`;
    let slot = firstSlot;
    let take = firstTake;
    for (;;) {
      const freeSlot = await slot;
      const taken = await (take ?? this.takeUnit(key, operation));
      if (taken.ok) return this.ticket(key, freeSlot);
      // Waiting for the window to reset must not hold one of the business's parallel slots.
      freeSlot();
      const waitMs = taken.state.resetAt - this.now();
      if (this.mode === 'reject' || waitMs > this.maxWaitMs) {
        const resetAt = new Date(taken.state.resetAt);
        throw new RateLimitError(
          `${operation}: the hourly quota of ${taken.state.limit} requests for business ${business} is used up; ` +
            `it resets at ${resetAt.toISOString()}. The SDK did not send the request.`,
          { operation, resetAt, limit: taken.state.limit, remaining: 0, local: true },
        );
      }
      await sleep(Math.max(waitMs, 1), signal);
      slot = this.takeSlot(business, signal);
      take = undefined;
    }
  }

  private takeUnit(key: string, operation: OperationId): TakeResult | Promise<TakeResult> {
    const now = this.now();
    const limit = this.limits[operation];
    return this.store.take(key, now, { limit, remaining: limit, resetAt: now + HOUR_MS });
  }

  /**
   * Ties a slot to the unit it spent. The server's `remaining` does not yet count this client's other
   * requests in flight for the same operation, so they are subtracted before the figure is stored.
   */
  private ticket(key: string, slot: () => void): Release {
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    let done = false;
    return (reported) => {
      if (done) return;
      done = true;
      slot();
      const others = (this.pending.get(key) ?? 1) - 1;
      if (others === 0) this.pending.delete(key);
      else this.pending.set(key, others);
      if (reported) {
        return this.store.record(key, { ...reported, remaining: Math.max(0, reported.remaining - others) });
      }
    };
  }

  async snapshot(business: string): Promise<QuotaSnapshot[]> {
    const out: QuotaSnapshot[] = [];
    for (const operation of OPERATION_IDS) {
      const state = await this.store.get(`${business}:${operation}`);
      if (state && this.now() < state.resetAt) {
        out.push({
          operation,
          limit: state.limit,
          remaining: state.remaining,
          resetAt: new Date(state.resetAt),
        });
      } else {
        const limit = this.limits[operation];
        out.push({ operation, limit, remaining: limit, resetAt: new Date(this.now() + HOUR_MS) });
      }
    }
    return out;
  }

  inFlight(business: string): number {
    return this.slots.get(business)?.active ?? 0;
  }

  private takeSlot(business: string, signal?: AbortSignal): Promise<() => void> | (() => void) {
    let slots = this.slots.get(business);
    if (!slots) {
      slots = { active: 0, waiting: [] };
      this.slots.set(business, slots);
    }
    const held = slots;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = held.waiting.shift();
      if (next) next();
      else held.active -= 1;
    };
    if (held.active < this.maxConcurrent) {
      held.active += 1;
      return release;
    }
    return new Promise((resolve, reject) => {
      // A freed slot is handed straight to the next waiter, so `active` stays at the cap.
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      const onAbort = () => {
        const index = held.waiting.indexOf(grant);
        if (index >= 0) held.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      held.waiting.push(grant);
    });
  }
}

export function defaultLimits(): Record<OperationId, number> {
  const limits = {} as Record<OperationId, number>;
  for (const id of OPERATION_IDS) limits[id] = OPERATIONS[id].hourlyQuota;
  return limits;
}

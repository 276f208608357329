/**
 * The quota-store contract: where the hourly windows (per business × operation) and the parallel-request
 * leases (per business) live. The store is the authority; each client only asks it. Sharing one store
 * between processes (see @ym-chats/redis) shares both limits. The rules every store follows are written
 * once here (`mergeReport`, `openWindow`) and mirrored by the Redis scripts; the contract tests
 * (`test/support/quota-store-contract.ts`) hold every implementation to them.
 */
import type { OperationId } from '../operations.js';
import { monotonicMs } from './clock.js';

export const HOUR_MS = 3_600_000;

/** One business's quota for one operation, in a fixed window ending at `resetAt`. */
export interface QuotaState {
  limit: number;
  remaining: number;
  /** Epoch milliseconds (the platform's clock) at which the window ends and the full quota is back. */
  resetAt: number;
}

/**
 * A window as a store keeps it: `confirmed` once the server has named its reset time; `probe` until an
 * answer has placed it (then one request of its key at a time).
 */
export interface QuotaWindow extends QuotaState {
  confirmed: boolean;
  probe: boolean;
}

export interface AcquireRequest {
  business: string;
  operation: OperationId;
  /** The platform's time as the caller knows it (epoch ms): windows open and close by this clock. */
  now: number;
  /** The hourly limit to assume for a window the server has not described yet. */
  limit: number;
  /** Leases one business may hold at once (the platform's 4). */
  maxConcurrent: number;
  /** How long a lease lives if nobody releases it (a crashed process). Longer than any attempt. */
  leaseMs: number;
}

export type AcquireResult =
  /** One unit of the window spent and one slot leased; hand `lease` back to `release`. */
  | { ok: true; lease: string }
  /** Every slot is leased (or the store asks callers to hold off): try again, at the latest after `retryInMs`. */
  | { ok: false; wait: 'slot'; retryInMs: number }
  /** The window is used up until `state.resetAt`. Nothing was spent or leased. */
  | { ok: false; wait: 'quota'; state: QuotaState };

export interface HoldRequest {
  business: string;
  operation: OperationId;
  lease: string;
  now: number;
  maxConcurrent: number;
  /** As in the acquire: a store that lost its leases treats reports with care for this long. */
  leaseMs: number;
}

export interface ReleaseRequest extends HoldRequest {
  /** What the response's `X-RateLimit-Resource-*` headers said, when a response came. */
  reported?: QuotaState | undefined;
  /**
   * The platform answered, so a probe window may open even without `reported` (a server that sends no
   * rate-limit headers). False or absent when no answer came (nothing sent, a timeout, a dropped
   * connection), and for a 420 or a 5xx without headers: the window stays a probe.
   */
  answered?: boolean | undefined;
}

/**
 * Where quota windows and slot leases live. Memory by default; a shared implementation (Redis) makes
 * several processes one client in the platform's eyes. `acquire` and `release` must each be atomic.
 *
 * The rules (see `mergeReport`): the store subtracts the units in flight in every process from what
 * a server reports; a report can only lower the current window, never raise it; a report about an
 * older window (an earlier reset time) never replaces a newer one; a window the store opens itself
 * counts the units still in flight, since they may land in the new window on the server.
 *
 * A window no answer has placed yet is a probe: one request at a time until the platform answers.
 * Nothing tells a store that is new (a fresh Redis, a new prefix, a process just started) from one that
 * lost what it knew (a Redis restarted empty, a process restarted) while the platform still counts what
 * was used, so a store never assumes a window is whole: the answer's `X-RateLimit-Resource-*` figures
 * place it, and an answer without them opens it at the configured limit (the platform has nothing to say).
 */
export interface QuotaStore {
  acquire(request: AcquireRequest): AcquireResult | Promise<AcquireResult>;
  /** Ends a lease (a no-op for one already expired) and merges the server's report into the window. */
  release(request: ReleaseRequest): void | Promise<void>;
  /** The window as the store knows it now, if one is open. */
  get(
    business: string,
    operation: OperationId,
    now: number,
  ): QuotaState | undefined | Promise<QuotaState | undefined>;
  /** Resolves when a slot of `business` may have been freed, or after `timeoutMs`. Polling if absent. */
  slotFreed?(business: string, timeoutMs: number): Promise<void>;
  /**
   * The lease's attempt ended without an answer but keeps its slot (the platform may still count it in
   * flight; `release` follows later): stop counting it as its window's probe, so the next probe need
   * not wait for the slot. Without it, the next probe waits for the release.
   */
  hold?(request: HoldRequest): void | Promise<void>;
}

/**
 * A window the store opens itself: after a known window ends, the next fixed hour (the platform's
 * windows are absolute), as sure as the known one was; with nothing known, a guess of an hour from now,
 * and a probe (the platform may have counted requests the store never saw). Units still in flight may
 * land in it.
 */
export function openWindow(
  known: QuotaWindow | undefined,
  now: number,
  limit: number,
  inFlight: number,
): QuotaWindow {
  const follows = known !== undefined && now < known.resetAt + HOUR_MS;
  const confirmed = follows && known.confirmed;
  // The platform's own figure beats the configured one.
  const size = confirmed ? known.limit : limit;
  return {
    limit: size,
    remaining: size - inFlight,
    resetAt: follows ? known.resetAt + HOUR_MS : now + HOUR_MS,
    confirmed,
    probe: !follows || known.probe,
  };
}

/**
 * Merges a server's report into the window. `others`: units of this key in flight in every process,
 * apart from the one reporting (the server may not have counted them yet). Returns the window to store,
 * or undefined to keep the current one.
 */
export function mergeReport(
  known: QuotaWindow | undefined,
  report: QuotaState,
  others: number,
  now: number,
): QuotaWindow | undefined {
  // An answer about a window that is already over by the platform's clock says nothing about the current one.
  if (report.resetAt <= now) return undefined;
  const remaining = Math.max(0, report.remaining - others);
  const fresh = { limit: report.limit, remaining, resetAt: report.resetAt, confirmed: true, probe: false };
  if (known === undefined || report.resetAt > known.resetAt) return fresh;
  // The same window: the count only ever goes down. Or a guessed one (opened an hour before its guessed
  // reset) that the platform's window overlaps, so the platform's reset time is the true one. A window
  // that ended before the guess began is older news, whatever the reporter's clock said.
  if (report.resetAt === known.resetAt) return { ...fresh, remaining: Math.min(known.remaining, remaining) };
  if (!known.confirmed && report.resetAt > known.resetAt - HOUR_MS) {
    // A guess sized by the configured limit: keep the count of units it gave out, against the platform's limit.
    const given = known.limit - known.remaining;
    return { ...fresh, remaining: Math.min(report.limit - given, remaining) };
  }
  return undefined;
}

interface Lease {
  operation: OperationId;
  /** `monotonicMs()` after which the lease no longer holds its slot. */
  expires: number;
  /** Its attempt ended without an answer: it keeps the slot but probes nothing. */
  held?: true;
}

interface BusinessState {
  leases: Map<string, Lease>;
  windows: Map<OperationId, QuotaWindow>;
  waiters: Array<() => void>;
}

/** The default store: one process's memory. Share one instance between clients of the same process. */
export class MemoryQuotaStore implements QuotaStore {
  private readonly businesses = new Map<string, BusinessState>();
  private seq = 0;

  private state(business: string): BusinessState {
    let state = this.businesses.get(business);
    if (state === undefined) {
      state = { leases: new Map(), windows: new Map(), waiters: [] };
      this.businesses.set(business, state);
    }
    return state;
  }

  acquire(request: AcquireRequest): AcquireResult {
    const state = this.state(request.business);
    const { leases } = state;
    if (leases.size >= request.maxConcurrent) {
      // Only at the cap is it worth looking for leases a crashed caller left behind.
      const clock = monotonicMs();
      let soonest = Number.POSITIVE_INFINITY;
      for (const [id, lease] of leases) {
        if (lease.expires <= clock) leases.delete(id);
        else soonest = Math.min(soonest, lease.expires);
      }
      if (leases.size >= request.maxConcurrent)
        return { ok: false, wait: 'slot', retryInMs: soonest - clock };
    }
    let window = state.windows.get(request.operation);
    if (window === undefined || request.now >= window.resetAt) {
      window = openWindow(window, request.now, request.limit, inFlight(leases, request.operation));
      state.windows.set(request.operation, window);
    }
    if (window.probe) {
      // Until an answer places the window, its key sends one request at a time.
      const probing = probeLapses(leases, request.operation);
      if (probing !== undefined)
        return { ok: false, wait: 'slot', retryInMs: Math.max(1, probing - monotonicMs()) };
    }
    if (window.remaining <= 0) {
      return {
        ok: false,
        wait: 'quota',
        state: { limit: window.limit, remaining: 0, resetAt: window.resetAt },
      };
    }
    window.remaining -= 1;
    const id = String(++this.seq);
    leases.set(id, { operation: request.operation, expires: monotonicMs() + request.leaseMs });
    return { ok: true, lease: id };
  }

  hold(request: HoldRequest): void {
    const state = this.state(request.business);
    const lease = state.leases.get(request.lease);
    if (lease !== undefined) lease.held = true;
    if (state.waiters.length > 0) for (const wake of state.waiters.splice(0)) wake();
  }

  release(request: ReleaseRequest): void {
    const state = this.state(request.business);
    state.leases.delete(request.lease);
    const window = state.windows.get(request.operation);
    if (request.reported === undefined) {
      // No figures: an answer still says the platform serves this key, so the guess may stand.
      if (request.answered === true && window !== undefined) window.probe = false;
    } else {
      const merged = mergeReport(
        window,
        request.reported,
        inFlight(state.leases, request.operation),
        request.now,
      );
      if (merged !== undefined) state.windows.set(request.operation, merged);
    }
    if (state.waiters.length > 0) for (const wake of state.waiters.splice(0)) wake();
  }

  get(business: string, operation: OperationId, now: number): QuotaState | undefined {
    const window = this.businesses.get(business)?.windows.get(operation);
    if (window === undefined || now >= window.resetAt) return undefined;
    return { limit: window.limit, remaining: Math.max(0, window.remaining), resetAt: window.resetAt };
  }

  slotFreed(business: string, timeoutMs: number): Promise<void> {
    const { waiters } = this.state(business);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const index = waiters.indexOf(wake);
        if (index >= 0) waiters.splice(index, 1);
        resolve();
      }, timeoutMs);
      waiters.push(wake);
    });
  }
}

/** When the first live probe of `operation` lapses (`monotonicMs()`), or undefined when none is out. */
function probeLapses(leases: Map<string, Lease>, operation: OperationId): number | undefined {
  const clock = monotonicMs();
  let soonest: number | undefined;
  for (const [id, lease] of leases) {
    if (lease.operation !== operation || lease.held) continue;
    if (lease.expires <= clock) leases.delete(id);
    else soonest = Math.min(soonest ?? lease.expires, lease.expires);
  }
  return soonest;
}

function inFlight(leases: Map<string, Lease>, operation: OperationId): number {
  let n = 0;
  for (const lease of leases.values()) if (lease.operation === operation) n += 1;
  return n;
}

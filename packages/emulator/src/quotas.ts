/**
 * Hourly quotas per business and method (fixed windows aligned to the hour of the emulator clock, which
 * matches the absolute `Until` production sends) and the per-business concurrency cap.
 */
import { DEFAULT_LIMITS } from './operations.js';
import type { OperationId } from './types.js';

export const DEFAULT_CONCURRENCY = 4;
const WINDOW_MS = 3600_000;

export interface QuotaSettings {
  enabled?: boolean;
  scale?: number;
  limits?: Partial<Record<OperationId, number>>;
  concurrency?: number | false;
}

export interface QuotaState {
  limit: number;
  remaining: number;
  /** End of the current window, epoch ms. */
  until: number;
}

interface Window {
  start: number;
  used: number;
}

/** What one business's requests met at the quota gate, for tests that count overruns by cause. */
export interface QuotaCounters {
  /** Requests that passed both limits. */
  served: number;
  /** 420s for a fifth request in flight. */
  parallel: number;
  /** 420s for an hourly window already used up. */
  hourly: number;
}

export class Quotas {
  enabled = true;
  scale = 1;
  limits: Partial<Record<OperationId, number>> = {};
  concurrency: number | false = DEFAULT_CONCURRENCY;
  private readonly windows = new Map<string, Window>();
  private readonly inFlight = new Map<number, number>();
  private readonly counters = new Map<number, QuotaCounters>();

  constructor(settings: QuotaSettings = {}) {
    this.configure(settings);
  }

  configure(settings: QuotaSettings): void {
    if (settings.enabled !== undefined) this.enabled = settings.enabled;
    if (settings.scale !== undefined) this.scale = settings.scale;
    if (settings.limits !== undefined) this.limits = { ...this.limits, ...settings.limits };
    if (settings.concurrency !== undefined) this.concurrency = settings.concurrency;
  }

  /** An explicit limit is taken as is; the defaults are multiplied by `scale` (at least 1). */
  limitFor(op: OperationId): number {
    return this.limits[op] ?? Math.max(1, Math.round(DEFAULT_LIMITS[op] * this.scale));
  }

  private window(businessId: number, op: OperationId, now: number): Window {
    const key = `${businessId}:${op}`;
    const start = now - (now % WINDOW_MS);
    let w = this.windows.get(key);
    if (!w) {
      w = { start, used: 0 };
      this.windows.set(key, w);
    } else if (w.start !== start) {
      w.start = start;
      w.used = 0;
    }
    return w;
  }

  /** The state without spending anything, e.g. for headers on a 401. */
  peek(businessId: number, op: OperationId, now: number): QuotaState {
    const w = this.window(businessId, op, now);
    const limit = this.limitFor(op);
    return { limit, remaining: Math.max(0, limit - w.used), until: w.start + WINDOW_MS };
  }

  /** Spends one request; `exceeded` when the window is used up (then nothing is spent). */
  spend(businessId: number, op: OperationId, now: number): QuotaState & { exceeded: boolean } {
    const w = this.window(businessId, op, now);
    const limit = this.limitFor(op);
    const until = w.start + WINDOW_MS;
    if (this.enabled && w.used >= limit) {
      this.count(businessId).hourly += 1;
      return { limit, remaining: 0, until, exceeded: true };
    }
    this.count(businessId).served += 1;
    w.used++;
    return { limit, remaining: Math.max(0, limit - w.used), until, exceeded: false };
  }

  /** Takes a concurrency slot; false when the business already has its maximum in flight. */
  acquire(businessId: number): boolean {
    const current = this.inFlight.get(businessId) ?? 0;
    if (this.enabled && this.concurrency !== false && current >= this.concurrency) {
      this.count(businessId).parallel += 1;
      return false;
    }
    this.inFlight.set(businessId, current + 1);
    return true;
  }

  release(businessId: number): void {
    const current = this.inFlight.get(businessId) ?? 0;
    if (current <= 1) this.inFlight.delete(businessId);
    else this.inFlight.set(businessId, current - 1);
  }

  private count(businessId: number): QuotaCounters {
    let counters = this.counters.get(businessId);
    if (counters === undefined) {
      counters = { served: 0, parallel: 0, hourly: 0 };
      this.counters.set(businessId, counters);
    }
    return counters;
  }

  resetCounters(): void {
    this.windows.clear();
    this.counters.clear();
  }

  describe(): object {
    const limits: Record<string, number> = {};
    for (const op of Object.keys(DEFAULT_LIMITS) as OperationId[]) limits[op] = this.limitFor(op);
    return {
      enabled: this.enabled,
      scale: this.scale,
      concurrency: this.concurrency,
      limits,
      inFlight: Object.fromEntries(this.inFlight),
      counters: Object.fromEntries(this.counters),
    };
  }
}

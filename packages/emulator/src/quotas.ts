/**
 * Hourly quotas per business and method (fixed windows aligned to the hour of the emulator clock, which
 * matches the absolute `Until` production sends) and the per-business concurrency cap. What a request is
 * counted against is its subject: the business's id (`"1001"`), or `campaign:<id>` for an operation
 * counted per campaign; an operation with a parallel cap of its own holds slots under `<subject>:<op>`.
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

/** What one subject's requests met at the quota gate, for tests that count overruns by cause. */
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
  private readonly inFlight = new Map<string, number>();
  private readonly counters = new Map<string, QuotaCounters>();

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

  private window(subject: string, op: OperationId, now: number): Window {
    const key = `${subject}:${op}`;
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
  peek(subject: string | number, op: OperationId, now: number): QuotaState {
    const w = this.window(String(subject), op, now);
    const limit = this.limitFor(op);
    return { limit, remaining: Math.max(0, limit - w.used), until: w.start + WINDOW_MS };
  }

  /** Spends one request; `exceeded` when the window is used up (then nothing is spent). */
  spend(subject: string, op: OperationId, now: number): QuotaState & { exceeded: boolean } {
    const w = this.window(subject, op, now);
    const limit = this.limitFor(op);
    const until = w.start + WINDOW_MS;
    if (this.enabled && w.used >= limit) {
      this.count(subject).hourly += 1;
      return { limit, remaining: 0, until, exceeded: true };
    }
    this.count(subject).served += 1;
    w.used++;
    return { limit, remaining: Math.max(0, limit - w.used), until, exceeded: false };
  }

  /** The parallel cap for slots of `own` (an operation's own cap), or the shared one. */
  capFor(own: number | undefined): number | false {
    return this.concurrency === false ? false : (own ?? this.concurrency);
  }

  /**
   * Takes a concurrency slot under `slots` (see the file comment), counted for `subject`; false when
   * `cap` are already in flight there.
   */
  acquire(subject: string, slots = subject, cap: number | false = this.concurrency): boolean {
    const current = this.inFlight.get(slots) ?? 0;
    if (this.enabled && cap !== false && current >= cap) {
      this.count(subject).parallel += 1;
      return false;
    }
    this.inFlight.set(slots, current + 1);
    return true;
  }

  release(slots: string): void {
    const current = this.inFlight.get(slots) ?? 0;
    if (current <= 1) this.inFlight.delete(slots);
    else this.inFlight.set(slots, current - 1);
  }

  private count(subject: string): QuotaCounters {
    let counters = this.counters.get(subject);
    if (counters === undefined) {
      counters = { served: 0, parallel: 0, hourly: 0 };
      this.counters.set(subject, counters);
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

/**
 * Prometheus metrics for a process that runs businesses (`serve`, the workers): a registry of its own (never
 * prom-client's global one, so several stores or tests in one process do not collide) built from the table in
 * `definitions.ts`. Three kinds of source:
 *
 * - the store, read at each scrape (`store.reads.backlog`: index ranges per business) — the same figures in
 *   every process on the store, so take `max` across instances, not `sum`;
 * - the runners, through `observer` (`RunnerObserver`): pass durations, rate-limit refusals, and each running
 *   business's quota as its client's limiter knows it, read at each scrape;
 * - the inbox's replies, through `sendOutcome` (the inbox's `sends.onOutcome`; the inbox never imports this).
 */
import { type QuotaSnapshot, RateLimitError, type SendOutcome } from '@ym-chats/sdk';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RunnerObserver } from '../runner/observer.js';
import type { SyncStore } from '../store/store.js';
import { METRICS, type MetricDefinition, SEND_OUTCOME_LABEL, WHERE_LABEL } from './definitions.js';

export interface SyncMetricsOptions {
  store: SyncStore;
  /** The businesses whose backlog is read from the store: `serve`'s one, or every registered one. */
  businesses: () => readonly bigint[] | Promise<readonly bigint[]>;
  /** The clock waits are measured by (default `Date.now`). */
  now?: () => number;
}

type Labels = Record<string, string>;

function instance(registry: Registry, def: MetricDefinition) {
  const base = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] };
  switch (def.type) {
    case 'gauge':
      return new Gauge(base);
    case 'counter':
      return new Counter(base);
    case 'histogram':
      return new Histogram({ ...base, buckets: [...(def.buckets ?? [])] });
  }
}

function gauge(registry: Registry, def: MetricDefinition & { type: 'gauge' }): Gauge {
  return instance(registry, def) as Gauge;
}
function counter(registry: Registry, def: MetricDefinition & { type: 'counter' }): Counter {
  return instance(registry, def) as Counter;
}
function histogram(registry: Registry, def: MetricDefinition & { type: 'histogram' }): Histogram {
  return instance(registry, def) as Histogram;
}

const secondsSince = (iso: string | null, now: number): number =>
  iso === null ? 0 : Math.max(0, (now - Date.parse(iso)) / 1000);

export class SyncMetrics {
  readonly registry = new Registry();
  private readonly waitingChats = gauge(this.registry, METRICS.waitingChats);
  private readonly oldestWait = gauge(this.registry, METRICS.oldestWait);
  private readonly pushQueueDepth = gauge(this.registry, METRICS.pushQueueDepth);
  private readonly pushQueueLag = gauge(this.registry, METRICS.pushQueueLag);
  private readonly passDuration = histogram(this.registry, METRICS.passDuration);
  private readonly quotaRemaining = gauge(this.registry, METRICS.quotaRemaining);
  private readonly rateLimited = counter(this.registry, METRICS.rateLimited);
  private readonly sendOutcomes = counter(this.registry, METRICS.sendOutcomes);
  private readonly readErrors = counter(this.registry, METRICS.scrapeErrors);
  /** The businesses this process runs now, with how to read each one's quota. */
  private readonly running = new Map<bigint, () => Promise<QuotaSnapshot[]>>();
  private readonly now: () => number;

  /** What the runners report to (`BusinessRunnerOptions.observer`, `oneBusiness`, the workers). */
  readonly observer: RunnerObserver = {
    started: (businessId, quota) => {
      this.running.set(businessId, quota);
      // Counters present at 0 from the start, so the first refusal or send shows in `increase()`.
      const business = String(businessId);
      for (const where of Object.values(WHERE_LABEL))
        for (const by of ['platform', 'client']) this.rateLimited.inc({ business, where, by }, 0);
      for (const outcome of Object.values(SEND_OUTCOME_LABEL))
        this.sendOutcomes.inc({ business, outcome }, 0);
    },
    stopped: (businessId) => {
      this.running.delete(businessId);
    },
    passEnded: (businessId, seconds, outcome) => {
      this.passDuration.observe({ business: String(businessId), outcome }, seconds);
    },
    failed: (businessId, where, error) => {
      if (!(error instanceof RateLimitError)) return;
      this.rateLimited.inc({
        business: String(businessId),
        where: WHERE_LABEL[where],
        by: error.local ? 'client' : 'platform',
      });
    },
  };

  /** The scrape being read: a second one at the same time shares it (the gauges are reset and set). */
  private scraping: Promise<string> | undefined;

  constructor(private readonly options: SyncMetricsOptions) {
    this.now = options.now ?? Date.now;
    for (const source of ['store', 'quota']) this.readErrors.inc({ source }, 0);
  }

  /** What became of an inbox reply (the SDK's outcome vocabulary). */
  sendOutcome(businessId: number | bigint, outcome: SendOutcome['outcome']): void {
    this.sendOutcomes.inc({ business: String(businessId), outcome: SEND_OUTCOME_LABEL[outcome] });
  }

  /** The exposition's content type (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Reads the store's and the limiters' figures, then renders every metric as Prometheus text. */
  exposition(): Promise<string> {
    this.scraping ??= Promise.all([this.readBacklog(), this.readQuotas()])
      .then(() => this.registry.metrics())
      .finally(() => {
        this.scraping = undefined;
      });
    return this.scraping;
  }

  private async readBacklog(): Promise<void> {
    const gauges = [this.waitingChats, this.oldestWait, this.pushQueueDepth, this.pushQueueLag];
    for (const g of gauges) g.reset();
    try {
      const rows = await this.options.store.reads.backlog(await this.options.businesses());
      const now = this.now();
      for (const row of rows) {
        const labels: Labels = { business: String(row.businessId) };
        this.waitingChats.set(labels, row.waitingChats);
        this.oldestWait.set(labels, secondsSince(row.oldestWaitSince, now));
        this.pushQueueDepth.set(labels, row.queuedPushes);
        this.pushQueueLag.set(labels, secondsSince(row.oldestPushAt, now));
      }
    } catch {
      // The database away: this scrape goes without these figures, and says so in a counter of its own.
      this.readErrors.inc({ source: 'store' });
    }
  }

  private async readQuotas(): Promise<void> {
    this.quotaRemaining.reset();
    await Promise.all(
      [...this.running].map(async ([businessId, quota]) => {
        try {
          for (const q of await quota())
            this.quotaRemaining.set({ business: String(businessId), method: q.operation }, q.remaining);
        } catch {
          // The quota store (a shared Redis) away.
          this.readErrors.inc({ source: 'quota' });
        }
      }),
    );
  }
}

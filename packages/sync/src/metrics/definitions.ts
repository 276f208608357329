/**
 * The metrics `serve` and the workers expose, as data: name, type, help text and labels, the one table the
 * registry is built from (`sync-metrics.ts`) and the README's list is checked against. Names follow
 * Prometheus's conventions: a unit suffix (`_seconds`), `_total` on counters, `business` as the label that
 * tells the businesses apart.
 */

export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface MetricDefinition {
  name: string;
  type: MetricType;
  help: string;
  labels: readonly string[];
  /** Histograms: the upper bounds of their buckets. */
  buckets?: readonly number[];
}

/** A pass reads every chat listed as changed: from a second on an idle business to many minutes. */
const PASS_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export const METRICS = {
  waitingChats: {
    name: 'ym_chats_waiting_chats',
    type: 'gauge',
    help: "Chats whose last message is the buyer's: waiting for the seller's reply (read from the store at each scrape).",
    labels: ['business'],
  },
  oldestWait: {
    name: 'ym_chats_oldest_wait_seconds',
    type: 'gauge',
    help: 'How long the longest-waiting chat has waited for a reply, in seconds; 0 when none waits.',
    labels: ['business'],
  },
  pushQueueDepth: {
    name: 'ym_chats_push_queue_depth',
    type: 'gauge',
    help: 'Push notifications received and stored but not yet acted on.',
    labels: ['business'],
  },
  pushQueueLag: {
    name: 'ym_chats_push_queue_lag_seconds',
    type: 'gauge',
    help: 'Age of the oldest push notification not yet acted on, in seconds; 0 when the queue is empty.',
    labels: ['business'],
  },
  passDuration: {
    name: 'ym_chats_pass_duration_seconds',
    type: 'histogram',
    help: "Duration of this process's sync passes, by outcome (passed, failed).",
    labels: ['business', 'outcome'],
    buckets: PASS_BUCKETS,
  },
  quotaRemaining: {
    name: 'ym_chats_quota_remaining',
    type: 'gauge',
    help: "Requests left in the hourly quota window per API method, as the client's limiter last heard from the platform's rate-limit headers (the configured limit before any answer).",
    labels: ['business', 'method'],
  },
  rateLimited: {
    name: 'ym_chats_rate_limited_total',
    type: 'counter',
    help: 'Passes and push rounds refused for a rate limit: by the platform (a 420 answer) or by the client before sending (by="client", the window known to be used up).',
    labels: ['business', 'where', 'by'],
  },
  sendOutcomes: {
    name: 'ym_chats_send_outcomes_total',
    type: 'counter',
    help: 'Replies sent from the inbox, by outcome: sent, maybe_sent (may have reached the buyer; settled from the history), failed (provably not sent).',
    labels: ['business', 'outcome'],
  },
  scrapeErrors: {
    name: 'ym_chats_metrics_read_errors_total',
    type: 'counter',
    help: 'Scrapes whose figures could not all be read, by source (store, quota): those figures are missing from that scrape.',
    labels: ['source'],
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

/** The send-outcome label for each of the SDK's outcomes (`sendOutcome` in @ym-chats/sdk). */
export const SEND_OUTCOME_LABEL = { sent: 'sent', maybeSent: 'maybe_sent', notSent: 'failed' } as const;

/** Where a rate limit hit: a sync pass, or a round of the push queue. */
export const WHERE_LABEL = { pass: 'pass', process: 'push' } as const;

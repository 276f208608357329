/**
 * The filter bar's counts as this process hands them to its pages: each part read at most once per its
 * interval for a set of businesses, and shared by every page asking meanwhile — pages re-read the counts
 * after live events, so without this every open page would count the queue once per change. Statuses
 * (an index walk) are at most 1 s old; types and contexts (a scan of the chats; they change only with a
 * new chat or a dispute) at most a minute.
 */
import type { InboxSource, QueueCountsView } from '../types.js';

export interface CountIntervals {
  statusesMs: number;
  kindsMs: number;
}

interface Held<T> {
  at: number;
  value: Promise<T>;
}

/** One read per interval per set of businesses, shared by every caller meanwhile. */
export class SharedRead<T> {
  private readonly held = new Map<string, Held<T>>();

  constructor(
    private readonly read: (businessIds: number[]) => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(businessIds: number[]): Promise<T> {
    const key = [...businessIds].sort((a, b) => a - b).join(',');
    const found = this.held.get(key);
    if (found && this.now() - found.at < this.maxAgeMs) return found.value;
    const value = this.read(businessIds);
    const entry = { at: this.now(), value };
    this.held.set(key, entry);
    // A failed read is not kept: the next page asking reads again.
    value.catch(() => {
      if (this.held.get(key) === entry) this.held.delete(key);
    });
    return value;
  }
}

export class QueueCountsCache {
  private readonly statuses: SharedRead<Pick<QueueCountsView, 'total' | 'statuses' | 'waiting'>>;
  private readonly kinds: SharedRead<Pick<QueueCountsView, 'types' | 'contexts'>>;

  constructor(
    source: Required<Pick<InboxSource, 'statusCounts' | 'kindCounts'>>,
    intervals: CountIntervals = { statusesMs: 1000, kindsMs: 60_000 },
    now: () => number = Date.now,
  ) {
    this.statuses = new SharedRead((ids) => source.statusCounts(ids), intervals.statusesMs, now);
    this.kinds = new SharedRead((ids) => source.kindCounts(ids), intervals.kindsMs, now);
  }

  async counts(businessIds: number[]): Promise<QueueCountsView> {
    const [statuses, kinds] = await Promise.all([
      this.statuses.get(businessIds),
      this.kinds.get(businessIds),
    ]);
    return { ...statuses, ...kinds };
  }
}

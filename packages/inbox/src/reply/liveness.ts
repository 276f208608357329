/**
 * Which process holds a ledger row, and whether it is still there. Hosts' clocks differ, so no process
 * compares another's timestamps with its own clock: a holder proves it is alive by changing its row's
 * heartbeat, and a watcher calls it gone only after seeing the same heartbeat for `staleAfterMs` of its
 * own clock. The values are opaque to the watcher; only their changing counts.
 */
import type { SendLedgerStore, SendRecord } from './ledger.js';

/** This process's renewals of the rows it holds (one statement every `intervalMs` while it holds any). */
export class Heartbeat {
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ledger: SendLedgerStore,
    readonly owner: string,
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  holds(draftId: string): boolean {
    return this.held.has(draftId);
  }

  hold(draftId: string): void {
    this.held.add(draftId);
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      this.ledger.heartbeat(this.owner, this.now()).catch(this.onError);
    }, this.intervalMs);
    this.timer.unref();
  }

  release(draftId: string): void {
    this.held.delete(draftId);
    if (this.held.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Rows watched at most; the oldest observations go first (a forgotten row is simply watched anew). */
const WATCHED_MAX = 10_000;

export class Liveness {
  private readonly watched = new Map<string, { heartbeatMs: number; since: number }>();

  constructor(
    private readonly heartbeat: Heartbeat,
    private readonly staleAfterMs: number,
    private readonly heartbeatMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * Undefined while the row's holder may be alive; once it is gone, the latest local time its last request
   * can have been made (its last heartbeat was seen before `since`, and it could still act for one
   * interval after writing it).
   */
  goneSince(record: SendRecord): number | undefined {
    if (record.owner === this.heartbeat.owner && this.heartbeat.holds(record.draftId)) return undefined;
    const now = this.now();
    const seen = this.watched.get(record.draftId);
    if (seen === undefined || seen.heartbeatMs !== record.heartbeatMs) {
      this.watched.delete(record.draftId);
      this.watched.set(record.draftId, { heartbeatMs: record.heartbeatMs, since: now });
      if (this.watched.size > WATCHED_MAX) {
        const oldest = this.watched.keys().next().value;
        if (oldest !== undefined) this.watched.delete(oldest);
      }
      return undefined;
    }
    return now - seen.since >= this.staleAfterMs ? seen.since + this.heartbeatMs : undefined;
  }

  forget(draftId: string): void {
    this.watched.delete(draftId);
  }
}

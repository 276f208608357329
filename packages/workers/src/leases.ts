/**
 * Who syncs which business: one row per business in `business_leases` naming its worker and an expiry, and
 * one row per live worker in `worker_nodes` with a heartbeat. A worker renews its leases every third of
 * the lease time; a lease that was not renewed (its worker died or lost the database) expires and any
 * worker may take it. Claims are single statements that only overwrite an expired row, so two workers
 * never both win one. Times are milliseconds of the database's clock (PostgreSQL), so workers on hosts
 * whose clocks disagree still agree on expiry; SQLite is one process, on its own clock.
 */
import { hostname } from 'node:os';
import type { Sql } from '@ym-chats/sync';

export class LeaseBook {
  /**
   * How long a renewal or a heartbeat holds. Renewals come every third of the lease time, so a worker
   * that dies is past expiry two thirds of it later, and the others' next renewal round (at most a
   * third later) takes its businesses: within the lease time all told, with one missed renewal tolerated.
   */
  private readonly expiryMs: number;

  constructor(
    private readonly sql: Sql,
    readonly workerId: string,
    readonly leaseMs: number,
  ) {
    this.expiryMs = Math.round((leaseMs * 2) / 3);
  }

  async now(): Promise<number> {
    if (this.sql.dialect === 'sqlite') return Date.now();
    const rows = await this.sql.all('SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint AS now');
    return Number(rows[0]!.now);
  }

  /** Records this worker as alive. */
  async beat(now: number, startedAt: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO worker_nodes (worker_id, host, pid, started_at, seen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (worker_id) DO UPDATE SET seen_at = excluded.seen_at`,
      [this.workerId, hostname(), process.pid, startedAt, now],
    );
  }

  /** Extends every lease this worker still holds; returns them (one it lost is no longer among them). */
  async renew(now: number): Promise<Set<bigint>> {
    await this.sql.run('UPDATE business_leases SET expires_at = ? WHERE worker_id = ?', [
      now + this.expiryMs,
      this.workerId,
    ]);
    const rows = await this.sql.all('SELECT business_id FROM business_leases WHERE worker_id = ?', [
      this.workerId,
    ]);
    return new Set(rows.map((r) => BigInt(r.business_id as bigint)));
  }

  /** Workers whose heartbeat still holds (this one included), after forgetting long-dead ones. */
  async liveWorkers(now: number): Promise<number> {
    await this.sql.run('DELETE FROM worker_nodes WHERE seen_at < ?', [now - 10 * this.leaseMs]);
    const rows = await this.sql.all('SELECT COUNT(*) AS n FROM worker_nodes WHERE seen_at > ?', [
      now - this.expiryMs,
    ]);
    return Math.max(1, Number(rows[0]?.n ?? 1));
  }

  async businessCount(): Promise<number> {
    const rows = await this.sql.all('SELECT COUNT(*) AS n FROM businesses');
    return Number(rows[0]?.n ?? 0);
  }

  /** Registered businesses nobody holds, or whose lease expired. */
  async claimable(now: number): Promise<bigint[]> {
    const rows = await this.sql.all(
      `SELECT b.business_id FROM businesses b LEFT JOIN business_leases l ON l.business_id = b.business_id
        WHERE l.business_id IS NULL OR l.expires_at <= ?`,
      [now],
    );
    return rows.map((r) => BigInt(r.business_id as bigint));
  }

  /** Tries to take each business; returns the ones won (a live lease of another worker is never taken). */
  async claim(now: number, businessIds: bigint[]): Promise<bigint[]> {
    if (businessIds.length === 0) return [];
    const won = await this.sql.all(
      `INSERT INTO business_leases (business_id, worker_id, acquired_at, expires_at)
       VALUES ${businessIds.map(() => '(?, ?, ?, ?)').join(', ')}
       ON CONFLICT (business_id) DO UPDATE SET worker_id = excluded.worker_id,
         acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
       WHERE business_leases.expires_at <= ?
       RETURNING business_id`,
      [...businessIds.flatMap((b) => [b, this.workerId, now, now + this.expiryMs]), now],
    );
    return won.map((r) => BigInt(r.business_id as bigint));
  }

  async release(businessId: bigint): Promise<void> {
    await this.sql.run('DELETE FROM business_leases WHERE business_id = ? AND worker_id = ?', [
      businessId,
      this.workerId,
    ]);
  }

  /** Leaves: frees every lease at once, so the others take over without waiting for expiry. */
  async leave(): Promise<void> {
    await this.sql.run('DELETE FROM business_leases WHERE worker_id = ?', [this.workerId]);
    await this.sql.run('DELETE FROM worker_nodes WHERE worker_id = ?', [this.workerId]);
  }

  /** SQLite: another live worker process on this store (same host, process still running), if any. */
  async otherLiveProcess(): Promise<{ pid: number; host: string } | undefined> {
    const rows = await this.sql.all('SELECT worker_id, host, pid FROM worker_nodes WHERE worker_id <> ?', [
      this.workerId,
    ]);
    for (const r of rows) {
      const pid = Number(r.pid);
      const host = String(r.host);
      if (host === hostname() && pid !== process.pid && !processAlive(pid)) {
        // Killed without leaving: its rows are stale, and nothing else can be writing this file.
        await this.sql.run('DELETE FROM business_leases WHERE worker_id = ?', [String(r.worker_id)]);
        await this.sql.run('DELETE FROM worker_nodes WHERE worker_id = ?', [String(r.worker_id)]);
        continue;
      }
      return { pid, host };
    }
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Failed logins, counted so that an attacker cannot lock the real agent out. A browser without a device
 * token for the login (device-token.ts) is counted per client address and login together (guessing one
 * agent's password from one place), per client address (trying many logins from one place), and across
 * everyone (many places at once); the last spares addresses that logged in successfully lately. A browser
 * holding a device token for the login is counted per token only, so no number of wrong passwords from
 * other addresses or browsers keeps the agent out of a browser they have used before (a new one gets in
 * with a login link). Past a limit the login answers 429 with the seconds to wait, whatever the password.
 * IPv6 clients count by their /64 (one host can hold a whole one).
 */
import { randomBytes } from 'node:crypto';
import { addressKey } from '@ym-chats/sdk';
import type { Sql } from '@ym-chats/sync';

export interface LoginLimiterOptions {
  windowMs?: number;
  /** Failures of one login from one address. Default 5. */
  perAddressAndLogin?: number;
  /** Failures from one address, any login. Default 20. */
  perAddress?: number;
  /** Failures from everywhere; past it only addresses with a recent successful login may try. Default 200. */
  global?: number;
  /** Failures from one device token (at its own login); no other limit applies to it. Default 10. */
  perDevice?: number;
  /** How long a successful login keeps its address trusted past the global ceiling. Default 30 days. */
  knownForMs?: number;
  now?: () => number;
}

/** Keys kept at most (addresses and address+login pairs); the oldest go first. */
const MAX_KEYS = 50_000;

/** An attempt `begin` let through (`retryAfter` 0, counted as a failure at `at` under `id`), or refused. */
export interface LoginAttempt {
  retryAfter: number;
  at: number;
  id: string;
  /** The device token's id the attempt came with (counted against it alone). */
  device?: string | undefined;
}

export interface LoginLimiter {
  /** Seconds until another attempt is allowed, or 0. */
  retryAfter(login: string, address: string, device?: string): Promise<number>;
  /**
   * Before the password is checked: counts the attempt as a failure at once and lets it through, or
   * refuses it (counting nothing) with the seconds to wait. Counting first is what makes the limits
   * hold for attempts sent all at once: checked first and counted after the slow password check, every
   * attempt of a burst would pass the check before any of them was counted.
   */
  begin(login: string, address: string, device?: string): Promise<LoginAttempt>;
  /**
   * The password was right (or a login link was followed: no attempt): the attempt's count is taken back,
   * the failures of its pair (or its device) cleared, the address known.
   */
  succeed(login: string, address: string, attempt?: LoginAttempt): Promise<void>;
}

/** One counter an attempt is counted in. */
interface Counter {
  key: string;
  limit: number;
  /** Whether the attempt waits when this counter is full (the global one spares known addresses). */
  checked: boolean;
  /** Cleared by a right password: the failures were the agent's own typing. */
  own: boolean;
}

class Rules {
  readonly windowMs: number;
  readonly perPair: number;
  readonly perAddress: number;
  readonly perDevice: number;
  readonly global: number;
  readonly knownForMs: number;
  readonly now: () => number;

  constructor(options: LoginLimiterOptions) {
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.perPair = options.perAddressAndLogin ?? 5;
    this.perAddress = options.perAddress ?? 20;
    this.perDevice = options.perDevice ?? 10;
    this.global = options.global ?? 200;
    this.knownForMs = options.knownForMs ?? 30 * 24 * 3600_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The one decision: which counters an attempt is counted in and checked against. A device token for the
   * login: that token's counter alone. Otherwise the pair, the address, and the global ceiling (which an
   * address with a recent successful login is not held to, though its failures still count there).
   */
  counters(login: string, address: string, device: string | undefined, known: boolean): Counter[] {
    if (device !== undefined)
      return [{ key: `d:${device}`, limit: this.perDevice, checked: true, own: true }];
    const a = addressKey(address);
    return [
      { key: `p:${a}\n${login}`, limit: this.perPair, checked: true, own: true },
      { key: `a:${a}`, limit: this.perAddress, checked: true, own: false },
      { key: 'g', limit: this.global, checked: !known, own: false },
    ];
  }

  isKnown(at: number | undefined): boolean {
    return at !== undefined && this.now() - at < this.knownForMs;
  }

  /** Seconds to wait when `limit`th newest failure in the window happened at `at`. */
  waitFrom(at: number | undefined): number {
    if (at === undefined) return 0;
    return Math.max(1, Math.ceil((at + this.windowMs - this.now()) / 1000));
  }
}

/** Removes one failure counted at `at` (the attempt that turned out right). */
function takeBack(list: number[] | undefined, at: number): void {
  const i = list?.lastIndexOf(at) ?? -1;
  if (i >= 0) list!.splice(i, 1);
}

/** Failures counted in this process's memory (for `createInbox` without a database). */
export class MemoryLoginLimiter implements LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly known = new Map<string, number>();
  private readonly rules: Rules;

  constructor(options: LoginLimiterOptions = {}) {
    this.rules = new Rules(options);
  }

  private counters(login: string, address: string, device: string | undefined): Counter[] {
    return this.rules.counters(
      login,
      address,
      device,
      this.rules.isKnown(this.known.get(addressKey(address))),
    );
  }

  private retryAfterNow(login: string, address: string, device: string | undefined): number {
    const waits = this.counters(login, address, device)
      .filter((c) => c.checked)
      .map((c) => this.wait(this.failures.get(c.key), c.limit));
    return Math.max(...waits);
  }

  async begin(login: string, address: string, device?: string): Promise<LoginAttempt> {
    // No await between the check and the count: attempts are taken one at a time.
    const wait = this.retryAfterNow(login, address, device);
    if (wait > 0) return { retryAfter: wait, at: 0, id: '', device };
    const at = this.record(login, address, device);
    return { retryAfter: 0, at, id: '', device };
  }

  async retryAfter(login: string, address: string, device?: string): Promise<number> {
    return this.retryAfterNow(login, address, device);
  }

  /** Records a failure (tests; the route counts through `begin`). */
  async fail(login: string, address: string, device?: string): Promise<void> {
    this.record(login, address, device);
  }

  private record(login: string, address: string, device: string | undefined): number {
    const now = this.rules.now();
    for (const { key, limit } of this.counters(login, address, device)) {
      const list = this.recent(this.failures.get(key));
      list.push(now);
      // Only the newest `limit` failures decide anything.
      if (list.length > limit) list.splice(0, list.length - limit);
      // Re-inserted, so the map's order is by last failure and the oldest keys go first when full.
      this.failures.delete(key);
      this.failures.set(key, list);
    }
    while (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
    return now;
  }

  async succeed(login: string, address: string, attempt?: LoginAttempt): Promise<void> {
    for (const { key, own } of this.counters(login, address, attempt?.device)) {
      if (own) this.failures.delete(key);
      else if (attempt) takeBack(this.failures.get(key), attempt.at);
    }
    const a = addressKey(address);
    this.known.delete(a);
    this.known.set(a, this.rules.now());
    while (this.known.size > MAX_KEYS) this.known.delete(this.known.keys().next().value!);
  }

  private recent(list: number[] | undefined): number[] {
    const since = this.rules.now() - this.rules.windowMs;
    return (list ?? []).filter((t) => t > since);
  }

  private wait(list: number[] | undefined, limit: number): number {
    const recent = this.recent(list);
    return this.rules.waitFrom(recent.length < limit ? undefined : recent[recent.length - limit]);
  }
}

/**
 * Failures counted in the inbox's tables, so the limits hold across every `serve` process on the
 * database (in memory, N processes would allow N times as many guesses).
 */
export class SqlLoginLimiter implements LoginLimiter {
  private readonly rules: Rules;
  private fails = 0;

  constructor(
    private readonly sql: Sql,
    options: LoginLimiterOptions = {},
  ) {
    this.rules = new Rules(options);
  }

  async retryAfter(login: string, address: string, device?: string): Promise<number> {
    return this.waitFor(await this.counters(login, address, device), 0);
  }

  async begin(login: string, address: string, device?: string): Promise<LoginAttempt> {
    // Counted first, checked after (this attempt included): a burst of attempts, here or in other
    // processes, cannot all read the counts before any of them is written.
    const counters = await this.counters(login, address, device);
    const id = randomBytes(12).toString('base64url');
    const at = await this.record(counters, id);
    const wait = await this.waitFor(counters, 1);
    if (wait === 0) return { retryAfter: 0, at, id, device };
    await this.takeBack(id);
    return { retryAfter: Math.max(1, await this.waitFor(counters, 0)), at, id, device };
  }

  private async counters(login: string, address: string, device: string | undefined): Promise<Counter[]> {
    // A device token's attempt is not held to the global ceiling, so whether its address is known is moot.
    let known = false;
    if (device === undefined) {
      const rows = await this.sql.all('SELECT at_ms FROM inbox_login_known WHERE address = ?', [
        addressKey(address),
      ]);
      known = this.rules.isKnown(rows[0] === undefined ? undefined : Number(rows[0].at_ms));
    }
    return this.rules.counters(login, address, device, known);
  }

  /** Seconds to wait when `counted` of the failures in the table are the attempt being checked. */
  private async waitFor(counters: Counter[], counted: number): Promise<number> {
    const since = this.rules.now() - this.rules.windowMs;
    let wait = 0;
    for (const { key, limit } of counters.filter((c) => c.checked)) {
      // The `limit`-th newest failure in the window before this attempt, if there are that many.
      const rows = await this.sql.all(
        'SELECT at_ms FROM inbox_login_failures WHERE key = ? AND at_ms > ? ORDER BY at_ms DESC LIMIT 1 OFFSET ?',
        [key, since, limit - 1 + counted],
      );
      wait = Math.max(wait, this.rules.waitFrom(rows[0] === undefined ? undefined : Number(rows[0].at_ms)));
    }
    return wait;
  }

  /** Records a failure (tests; the route counts through `begin`). */
  async fail(login: string, address: string, device?: string): Promise<void> {
    await this.record(await this.counters(login, address, device), null);
  }

  private async takeBack(id: string): Promise<void> {
    await this.sql.run('DELETE FROM inbox_login_failures WHERE attempt = ?', [id]);
  }

  private async record(counters: Counter[], id: string | null): Promise<number> {
    const now = this.rules.now();
    await this.sql.run(
      `INSERT INTO inbox_login_failures (key, at_ms, attempt) VALUES ${counters.map(() => '(?, ?, ?)').join(', ')}`,
      counters.flatMap(({ key }) => [key, now, id]),
    );
    this.fails += 1;
    if (this.fails % 50 === 1) {
      await this.sql.run('DELETE FROM inbox_login_failures WHERE at_ms <= ?', [now - this.rules.windowMs]);
    }
    return now;
  }

  async succeed(login: string, address: string, attempt?: LoginAttempt): Promise<void> {
    const now = this.rules.now();
    if (attempt?.id) await this.takeBack(attempt.id);
    for (const { key } of this.rules.counters(login, address, attempt?.device, false).filter((c) => c.own)) {
      await this.sql.run('DELETE FROM inbox_login_failures WHERE key = ?', [key]);
    }
    await this.sql.run(
      `INSERT INTO inbox_login_known (address, at_ms) VALUES (?, ?)
       ON CONFLICT (address) DO UPDATE SET at_ms = excluded.at_ms`,
      [addressKey(address), now],
    );
    if (this.fails % 50 === 1) {
      await this.sql.run('DELETE FROM inbox_login_known WHERE at_ms <= ?', [now - this.rules.knownForMs]);
    }
  }
}

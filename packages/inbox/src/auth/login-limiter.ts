/**
 * Failed logins, counted so that an attacker cannot lock the real agent out: per client address and
 * login together (guessing one agent's password from one place), per client address (trying many logins
 * from one place), and across everyone (many places at once). Only the last applies to everybody, and
 * even then an address that logged in successfully lately may still try — so a flood of wrong passwords
 * from elsewhere never keeps an agent out of the place they work from. Past a limit the login answers
 * 429 with the seconds to wait, whatever the password. IPv6 clients count by their /64 (one host can hold
 * a whole one).
 */
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Sql } from '@ym-chats/sync';

export interface LoginLimiterOptions {
  windowMs?: number;
  /** Failures of one login from one address. Default 5. */
  perAddressAndLogin?: number;
  /** Failures from one address, any login. Default 20. */
  perAddress?: number;
  /** Failures from everywhere; past it only addresses with a recent successful login may try. Default 200. */
  global?: number;
  /** How long a successful login keeps its address trusted past the global ceiling. Default 30 days. */
  knownForMs?: number;
  now?: () => number;
}

/** Keys kept at most (addresses and address+login pairs); the oldest go first. */
const MAX_KEYS = 50_000;

/** The address the counts use: IPv4 as is (also when IPv4-mapped), IPv6 by its first 64 bits. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** An attempt `begin` let through (`retryAfter` 0, counted as a failure at `at` under `id`), or refused. */
export interface LoginAttempt {
  retryAfter: number;
  at: number;
  id: string;
}

export interface LoginLimiter {
  /** Seconds until another attempt is allowed, or 0. */
  retryAfter(login: string, address: string): Promise<number>;
  /**
   * Before the password is checked: counts the attempt as a failure at once and lets it through, or
   * refuses it (counting nothing) with the seconds to wait. Counting first is what makes the limits
   * hold for attempts sent all at once: checked first and counted after the slow password check, every
   * attempt of a burst would pass the check before any of them was counted.
   */
  begin(login: string, address: string): Promise<LoginAttempt>;
  /** The password was right: the attempt's count is taken back, the pair's failures cleared, the address known. */
  succeed(login: string, address: string, attempt: LoginAttempt): Promise<void>;
}

class Rules {
  readonly windowMs: number;
  readonly perPair: number;
  readonly perAddress: number;
  readonly global: number;
  readonly knownForMs: number;
  readonly now: () => number;

  constructor(options: LoginLimiterOptions) {
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.perPair = options.perAddressAndLogin ?? 5;
    this.perAddress = options.perAddress ?? 20;
    this.global = options.global ?? 200;
    this.knownForMs = options.knownForMs ?? 30 * 24 * 3600_000;
    this.now = options.now ?? Date.now;
  }

  /** The counters an attempt of `login` from `address` is checked against, with their limits. */
  keys(login: string, address: string): Array<[key: string, limit: number]> {
    const a = addressKey(address);
    return [
      [`p:${a}\n${login}`, this.perPair],
      [`a:${a}`, this.perAddress],
    ];
  }

  /** Seconds to wait when `limitth` newest failure in the window happened at `at`. */
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
  private readonly recentFailures: number[] = [];
  private readonly known = new Map<string, number>();
  private readonly rules: Rules;

  constructor(options: LoginLimiterOptions = {}) {
    this.rules = new Rules(options);
  }

  private retryAfterNow(login: string, address: string): number {
    const waits = this.rules
      .keys(login, address)
      .map(([key, limit]) => this.wait(this.failures.get(key), limit));
    if (!this.isKnown(addressKey(address))) waits.push(this.wait(this.recentFailures, this.rules.global));
    return Math.max(...waits);
  }

  async begin(login: string, address: string): Promise<LoginAttempt> {
    // No await between the check and the count: attempts are taken one at a time.
    const wait = this.retryAfterNow(login, address);
    if (wait > 0) return { retryAfter: wait, at: 0, id: '' };
    const at = this.record(login, address);
    return { retryAfter: 0, at, id: '' };
  }

  async retryAfter(login: string, address: string): Promise<number> {
    return this.retryAfterNow(login, address);
  }

  /** Records a failure (tests; the route counts through `begin`). */
  async fail(login: string, address: string): Promise<void> {
    this.record(login, address);
  }

  private record(login: string, address: string): number {
    const now = this.rules.now();
    for (const [key] of this.rules.keys(login, address)) {
      const list = this.recent(this.failures.get(key));
      list.push(now);
      // Re-inserted, so the map's order is by last failure and the oldest keys go first when full.
      this.failures.delete(key);
      this.failures.set(key, list);
    }
    this.recentFailures.push(now);
    // Only the newest `global` failures decide anything.
    if (this.recentFailures.length > this.rules.global) {
      this.recentFailures.splice(0, this.recentFailures.length - this.rules.global);
    }
    while (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
    return now;
  }

  async succeed(login: string, address: string, attempt?: LoginAttempt): Promise<void> {
    const [pair, place] = this.rules.keys(login, address);
    this.failures.delete(pair![0]);
    if (attempt) {
      takeBack(this.failures.get(place![0]), attempt.at);
      takeBack(this.recentFailures, attempt.at);
    }
    const a = addressKey(address);
    this.known.delete(a);
    this.known.set(a, this.rules.now());
    while (this.known.size > MAX_KEYS) this.known.delete(this.known.keys().next().value!);
  }

  private isKnown(address: string): boolean {
    const at = this.known.get(address);
    return at !== undefined && this.rules.now() - at < this.rules.knownForMs;
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

  async retryAfter(login: string, address: string): Promise<number> {
    return this.waitFor(login, address, 0);
  }

  async begin(login: string, address: string): Promise<LoginAttempt> {
    // Counted first, checked after (this attempt included): a burst of attempts, here or in other
    // processes, cannot all read the counts before any of them is written.
    const id = randomBytes(12).toString('base64url');
    const at = await this.record(login, address, id);
    const wait = await this.waitFor(login, address, 1);
    if (wait === 0) return { retryAfter: 0, at, id };
    await this.takeBack(id);
    return { retryAfter: Math.max(1, await this.retryAfter(login, address)), at, id };
  }

  /** Seconds to wait when `counted` of the failures in the table are the attempt being checked. */
  private async waitFor(login: string, address: string, counted: number): Promise<number> {
    const checks = this.rules.keys(login, address);
    const known = await this.sql.all('SELECT at_ms FROM inbox_login_known WHERE address = ?', [
      addressKey(address),
    ]);
    const isKnown =
      known[0] !== undefined && this.rules.now() - Number(known[0].at_ms) < this.rules.knownForMs;
    if (!isKnown) checks.push(['g', this.rules.global]);
    const since = this.rules.now() - this.rules.windowMs;
    let wait = 0;
    for (const [key, limit] of checks) {
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
  async fail(login: string, address: string): Promise<void> {
    await this.record(login, address, null);
  }

  private async takeBack(id: string): Promise<void> {
    await this.sql.run('DELETE FROM inbox_login_failures WHERE attempt = ?', [id]);
  }

  private async record(login: string, address: string, id: string | null): Promise<number> {
    const now = this.rules.now();
    const keys = [...this.rules.keys(login, address).map(([key]) => key), 'g'];
    await this.sql.run(
      `INSERT INTO inbox_login_failures (key, at_ms, attempt) VALUES ${keys.map(() => '(?, ?, ?)').join(', ')}`,
      keys.flatMap((key) => [key, now, id]),
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
    await this.sql.run('DELETE FROM inbox_login_failures WHERE key = ?', [
      this.rules.keys(login, address)[0]![0],
    ]);
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

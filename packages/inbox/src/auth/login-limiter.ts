/**
 * Failed logins, counted so that an attacker cannot lock the real agent out: per client address and
 * login together (guessing one agent's password from one place), per client address (trying many logins
 * from one place), and across everyone (many places at once). Only the last applies to everybody, and
 * even then an address that logged in successfully lately may still try — so a flood of wrong passwords
 * from elsewhere never keeps an agent out of the place they work from. Past a limit the login answers
 * 429 with the seconds to wait, whatever the password. IPv6 clients count by their /64 (one host can hold
 * a whole one).
 */
import { isIPv6 } from 'node:net';

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

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly recentFailures: number[] = [];
  private readonly known = new Map<string, number>();
  private readonly windowMs: number;
  private readonly perPair: number;
  private readonly perAddress: number;
  private readonly global: number;
  private readonly knownForMs: number;
  private readonly now: () => number;

  constructor(options: LoginLimiterOptions = {}) {
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.perPair = options.perAddressAndLogin ?? 5;
    this.perAddress = options.perAddress ?? 20;
    this.global = options.global ?? 200;
    this.knownForMs = options.knownForMs ?? 30 * 24 * 3600_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until another attempt is allowed, or 0. */
  retryAfter(login: string, address: string): number {
    const a = addressKey(address);
    const waits = [
      this.wait(this.failures.get(`p:${a}\n${login}`), this.perPair),
      this.wait(this.failures.get(`a:${a}`), this.perAddress),
    ];
    if (!this.isKnown(a)) waits.push(this.wait(this.recentFailures, this.global));
    return Math.max(...waits);
  }

  fail(login: string, address: string): void {
    const a = addressKey(address);
    const now = this.now();
    for (const key of [`p:${a}\n${login}`, `a:${a}`]) {
      const list = this.recent(this.failures.get(key));
      list.push(now);
      // Re-inserted, so the map's order is by last failure and the oldest keys go first when full.
      this.failures.delete(key);
      this.failures.set(key, list);
    }
    this.recentFailures.push(now);
    // Only the newest `global` failures decide anything.
    if (this.recentFailures.length > this.global)
      this.recentFailures.splice(0, this.recentFailures.length - this.global);
    while (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(login: string, address: string): void {
    const a = addressKey(address);
    this.failures.delete(`p:${a}\n${login}`);
    this.known.delete(a);
    this.known.set(a, this.now());
    while (this.known.size > MAX_KEYS) this.known.delete(this.known.keys().next().value!);
  }

  private isKnown(address: string): boolean {
    const at = this.known.get(address);
    return at !== undefined && this.now() - at < this.knownForMs;
  }

  private recent(list: number[] | undefined): number[] {
    const since = this.now() - this.windowMs;
    return (list ?? []).filter((t) => t > since);
  }

  private wait(list: number[] | undefined, limit: number): number {
    const recent = this.recent(list);
    if (recent.length < limit) return 0;
    const oldest = recent[recent.length - limit]!;
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }
}

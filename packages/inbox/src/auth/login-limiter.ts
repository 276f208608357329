/**
 * Failed logins counted per login name and per client address over a sliding window; past the limit the
 * login answers 429 with the seconds to wait, whatever the password.
 */
export interface LoginLimiterOptions {
  windowMs?: number;
  perLogin?: number;
  perAddress?: number;
  now?: () => number;
}

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly windowMs: number;
  private readonly perLogin: number;
  private readonly perAddress: number;
  private readonly now: () => number;

  constructor(options: LoginLimiterOptions = {}) {
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.perLogin = options.perLogin ?? 5;
    this.perAddress = options.perAddress ?? 20;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until another attempt is allowed, or 0. */
  retryAfter(login: string, address: string): number {
    const waits = [this.wait(`l:${login}`, this.perLogin), this.wait(`a:${address}`, this.perAddress)];
    return Math.max(...waits);
  }

  fail(login: string, address: string): void {
    for (const key of [`l:${login}`, `a:${address}`]) {
      const list = this.recent(key);
      list.push(this.now());
      this.failures.set(key, list);
    }
  }

  succeed(login: string): void {
    this.failures.delete(`l:${login}`);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }

  private wait(key: string, limit: number): number {
    const list = this.recent(key);
    if (list.length < limit) return 0;
    const oldest = list[list.length - limit]!;
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }
}

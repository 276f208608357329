/**
 * The server's own ceiling on sends per rolling hour, below the platform's quota (1000). A person clicks
 * "send" a few dozen times an hour; an assistant in a loop, with a client that only needs `confirm: true`,
 * could go on until the quota ends. Only requests that left (or may have) count; dry runs do not.
 */
export const DEFAULT_MAX_SENDS_PER_HOUR = 60;
const HOUR_MS = 60 * 60_000;

export class SendBudget {
  private readonly sent: number[] = [];

  constructor(
    readonly perHour: number,
    private readonly now: () => Date,
  ) {}

  /** Takes one send if the hour has room; otherwise says when the next one will. */
  take(): { ok: true } | { ok: false; nextAt: Date } {
    const now = this.now().getTime();
    while (this.sent.length > 0 && this.sent[0]! <= now - HOUR_MS) this.sent.shift();
    if (this.sent.length >= this.perHour) return { ok: false, nextAt: new Date(this.sent[0]! + HOUR_MS) };
    this.sent.push(now);
    return { ok: true };
  }
}

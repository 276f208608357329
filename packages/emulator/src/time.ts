/** Clock and date formats. The API speaks Moscow time with an explicit offset. */

const MSK_OFFSET_MS = 3 * 3600_000;

/** ISO 8601 in Moscow time without milliseconds, e.g. `2026-11-25T13:00:00+03:00`. */
export function isoMsk(ms: number): string {
  return `${new Date(ms + MSK_OFFSET_MS).toISOString().slice(0, 19)}+03:00`;
}

let lastDateMs = Number.NaN;
let lastDate = '';

/** HTTP date; the quota window end repeats for an hour, so the last one is remembered. */
export function httpDate(ms: number): string {
  if (ms !== lastDateMs) {
    lastDateMs = ms;
    lastDate = new Date(ms).toUTCString();
  }
  return lastDate;
}

/** The emulator's notion of "now": a base source plus an offset the admin can move. */
export class Clock {
  private offset = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }

  set(epochMs: number): void {
    this.offset = epochMs - this.base();
  }

  get offsetMs(): number {
    return this.offset;
  }

  reset(): void {
    this.offset = 0;
  }
}

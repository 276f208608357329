/**
 * A report's period as the Reports view (and anyone calling its route) asks for it: `days=N`, the last N
 * calendar days up to now (today included), or `from`/`to`, each a date (`YYYY-MM-DD`: the start of that day)
 * or an ISO 8601 date-time, `to` not included — as `ym-chats report --from/--to`. Days are the business
 * hours' when configured (`days`), else UTC. A mistake throws a RangeError naming the parameter and the fix.
 */
import type { ReportOptions } from '@ym-chats/sync';

export interface ReportPeriod {
  days: ReportOptions['days'];
  now: number;
}

/** The longest period one request may ask for (a report's cost grows with its waits). */
export const MAX_PERIOD_DAYS = 366;
const DAY_MS = 86_400_000;

const utcStart = (day: string) => Date.parse(`${day}T00:00:00.000Z`);

function instant(name: string, text: string, days: ReportPeriod['days']): number {
  const value = text.trim();
  let ms = Number.NaN;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    // Date.parse rolls 2026-02-30 over to March; a day that is not on the calendar is refused.
    if (new Date(utcStart(value)).toISOString().slice(0, 10) === value) {
      ms = days ? days.dayStart(value) : utcStart(value);
    }
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new RangeError(
      `${name} "${text}" is not a date (YYYY-MM-DD, e.g. 2026-12-01) or an ISO 8601 date-time (e.g. 2026-12-01T09:00:00+03:00)`,
    );
  }
  return ms;
}

export function reportPeriod(
  query: { from?: string | undefined; to?: string | undefined; days?: string | undefined },
  { days, now }: ReportPeriod,
): { from: number; to: number } {
  let from: number;
  let to: number;
  if (query.days !== undefined) {
    if (query.from !== undefined || query.to !== undefined) {
      throw new RangeError('give either days or from/to, not both');
    }
    const n = /^\d{1,3}$/.test(query.days) ? Number(query.days) : Number.NaN;
    if (!(n >= 1 && n <= MAX_PERIOD_DAYS)) {
      throw new RangeError(`days "${query.days}" is not a whole number from 1 to ${MAX_PERIOD_DAYS}`);
    }
    const dayOf = days?.dayOf ?? ((ms: number) => new Date(ms).toISOString().slice(0, 10));
    const dayStart = days?.dayStart ?? utcStart;
    const first = new Date(utcStart(dayOf(now)) - (n - 1) * DAY_MS).toISOString().slice(0, 10);
    from = dayStart(first);
    to = now;
  } else {
    to = query.to === undefined ? now : instant('to', query.to, days);
    from = query.from === undefined ? to - 7 * DAY_MS : instant('from', query.from, days);
  }
  if (from >= to) {
    throw new RangeError(
      `from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()}); to is not included`,
    );
  }
  if (to - from > (MAX_PERIOD_DAYS + 1) * DAY_MS) {
    throw new RangeError(`the period is longer than ${MAX_PERIOD_DAYS} days: ask for a shorter one`);
  }
  return { from, to };
}

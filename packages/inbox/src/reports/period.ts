/**
 * A report's period as the Reports view (and anyone calling its route) asks for it: sync's
 * `reportPeriod`, the parser `ym-chats report --from/--to` uses too, with the route's guard on its cost —
 * at most MAX_PERIOD_DAYS a request. A mistake throws a RangeError naming the parameter and the fix.
 */
import { type PeriodQuery, reportPeriod as parsePeriod, type ReportOptions } from '@ym-chats/sync';

export interface ReportPeriod {
  /** The days a date alone starts (the business hours' zone); UTC without. */
  days: ReportOptions['days'];
  now: number;
}

/** The longest period one request may ask for (a report's cost grows with its waits). */
export const MAX_PERIOD_DAYS = 366;

export function reportPeriod(query: PeriodQuery, { days, now }: ReportPeriod): { from: number; to: number } {
  return parsePeriod(query, { days, now, maxDays: MAX_PERIOD_DAYS });
}

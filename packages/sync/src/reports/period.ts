/**
 * A report's period as people ask for it — the one parser behind `ym-chats report --from/--to` and the
 * inbox's report route (`from`/`to` or `days`): `from`/`to` each a date (`YYYY-MM-DD`: the start of that
 * day) or an ISO 8601 date-time, `to` not included, `from` 7 days before `to` and `to` now when left out;
 * or `days=N`, the last N calendar days up to now, today included. Days start in the business hours' zone
 * when given (`days`, the inbox's `reportHours`), else in UTC. A mistake throws a RangeError naming the
 * parameter as the caller's user spells it and what it takes.
 */
import type { ReportDays } from './days.js';
import { UTC_DAYS } from './days.js';

/** The parameters as typed (absent: not given). */
export interface PeriodQuery {
  from?: string | undefined;
  to?: string | undefined;
  days?: string | undefined;
}

export type PeriodParameter = keyof PeriodQuery;

export interface PeriodRules {
  /** The days a date alone starts (the business hours' zone); UTC without. */
  days?: ReportDays | undefined;
  /** Now, in ms: the default `to`, and the end of `days=N`. */
  now: number;
  /** The longest period in days that may be asked for (a server's guard on its cost); none without. */
  maxDays?: number | undefined;
  /** A parameter as the user types it, e.g. `--from` on a terminal; as it is (`from`) without. */
  spell?: ((parameter: PeriodParameter) => string) | undefined;
}

/** The period [from, to) in ms. */
export interface Period {
  from: number;
  to: number;
}

const DAY_MS = 86_400_000;
/** Without `from`, the period is the week before `to`. */
const DEFAULT_DAYS = 7;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const utcStart = (day: string) => Date.parse(`${day}T00:00:00.000Z`);

function instant(name: string, text: string, days: ReportDays): number {
  const value = text.trim();
  let ms = Number.NaN;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    // Date.parse rolls 2026-02-30 over to March; a day that is not on the calendar is refused.
    if (isoDay(utcStart(value)) === value) ms = days.dayStart(value);
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new RangeError(
      `${name} "${text}" is not a date (YYYY-MM-DD, e.g. 2026-12-01) or an ISO 8601 date-time (e.g. 2026-12-01T09:00:00+03:00)`,
    );
  }
  return ms;
}

/** The last `text` calendar days up to `now`, today included. */
function lastDays(name: string, text: string, { now, maxDays }: PeriodRules, days: ReportDays): Period {
  const n = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= (maxDays ?? Number.POSITIVE_INFINITY))) {
    const range = maxDays === undefined ? 'of at least 1' : `from 1 to ${maxDays}`;
    throw new RangeError(`${name} "${text}" is not a whole number ${range}`);
  }
  const first = isoDay(utcStart(days.dayOf(now)) - (n - 1) * DAY_MS);
  return { from: days.dayStart(first), to: now };
}

export function reportPeriod(query: PeriodQuery, rules: PeriodRules): Period {
  const spell = rules.spell ?? ((parameter: PeriodParameter) => parameter);
  const days = rules.days ?? UTC_DAYS;
  let period: Period;
  if (query.days !== undefined) {
    if (query.from !== undefined || query.to !== undefined) {
      throw new RangeError(`give either ${spell('days')} or ${spell('from')}/${spell('to')}, not both`);
    }
    period = lastDays(spell('days'), query.days, rules, days);
  } else {
    const to = query.to === undefined ? rules.now : instant(spell('to'), query.to, days);
    const from =
      query.from === undefined ? to - DEFAULT_DAYS * DAY_MS : instant(spell('from'), query.from, days);
    period = { from, to };
  }
  const { from, to } = period;
  if (from >= to) {
    throw new RangeError(
      `${spell('from')} (${new Date(from).toISOString()}) must be before ${spell('to')} (${new Date(to).toISOString()}); ${spell('to')} is not included`,
    );
  }
  // A day's slack past maxDays: a zone's day may have 25 hours, and `to` may be the end of the last day.
  if (rules.maxDays !== undefined && to - from > (rules.maxDays + 1) * DAY_MS) {
    throw new RangeError(`the period is longer than ${rules.maxDays} days: ask for a shorter one`);
  }
  return period;
}

/**
 * Business hours for reports, in the inbox's own rule (shared/business-hours.ts): a spec a terminal can
 * type, and what `report()` takes from them — the time inside them that counts, and the days of the
 * per-day rows in their zone (the store itself knows only UTC days).
 */
import type { ReportOptions } from '@ym-chats/sync';
import {
  type BusinessHours,
  checkBusinessHours,
  instant,
  localDate,
  waitMs,
} from '../shared/business-hours.js';

/** `ZONE,DAYS,HH:MM-HH:MM`, e.g. `Europe/Moscow,1-5,09:00-18:00`; days are ISO weekdays (1 = Monday), as `1-5`, `1+3+5` or `1-5+7`. */
export const BUSINESS_HOURS_SPEC = 'ZONE,DAYS,HH:MM-HH:MM';

/** Parses a spec; a mistake throws an Error that says what is wrong. */
export function parseBusinessHours(spec: string): BusinessHours {
  const parts = spec.split(',').map((p) => p.trim());
  if (parts.length !== 3) {
    throw new Error(`"${spec}" is not ${BUSINESS_HOURS_SPEC} (e.g. Europe/Moscow,1-5,09:00-18:00)`);
  }
  const [timeZone, dayText, span] = parts as [string, string, string];
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`"${timeZone}" is not a time zone (an IANA name such as Europe/Moscow)`);
  }
  const days = new Set<number>();
  for (const piece of dayText.split('+')) {
    const m = /^([1-7])(?:-([1-7]))?$/.exec(piece);
    if (!m) throw new Error(`"${dayText}" is not a list of ISO weekdays 1–7 (e.g. 1-5 or 1+3+5)`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) throw new Error(`"${piece}": a day range runs forward (e.g. 1-5)`);
    for (let d = first; d <= last; d++) days.add(d);
  }
  const hours = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(span);
  if (!hours) throw new Error(`"${span}" is not HH:MM-HH:MM (e.g. 09:00-18:00)`);
  return checkBusinessHours({ timeZone, days: [...days].sort(), from: hours[1]!, to: hours[2]! });
}

/** The milliseconds of [startMs, endMs) inside the hours: `report()`'s `countedMs`. */
export function countedInHours(hours: BusinessHours): (startMs: number, endMs: number) => number {
  return (startMs, endMs) => waitMs(startMs, endMs, hours);
}

/** What `report()` takes from business hours: counted time and calendar days, both in their zone. */
export function reportHours(hours: BusinessHours): Required<Pick<ReportOptions, 'countedMs' | 'days'>> {
  const { timeZone } = hours;
  return {
    countedMs: countedInHours(hours),
    days: {
      dayOf: (ms) => localDate(timeZone, ms),
      dayStart: (day) => instant(timeZone, Date.parse(`${day}T00:00:00.000Z`)),
    },
  };
}

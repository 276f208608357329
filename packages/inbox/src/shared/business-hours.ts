/**
 * Waits counted in business hours only (optional): a buyer who wrote on Friday evening has not waited all
 * weekend. Days and times are the seller's local ones in `timeZone` (IANA name), daylight saving included.
 */
export interface BusinessHours {
  timeZone: string;
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  days: number[];
  /** Local opening and closing time, "HH:MM" (24 h). */
  from: string;
  to: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(timeZone: string, ms: number): { y: number; m: number; d: number; local: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const v: Record<string, number> = {};
  for (const p of f.formatToParts(ms)) if (p.type !== 'literal') v[p.type] = Number(p.value);
  const local = Date.UTC(v.year!, v.month! - 1, v.day!, v.hour!, v.minute!, v.second!);
  return { y: v.year!, m: v.month!, d: v.day!, local };
}

/** The instant when the clock in `timeZone` shows this local time (the zone's offset near that instant). */
export function instant(timeZone: string, localMs: number): number {
  const guess = localMs - (parts(timeZone, localMs).local - localMs);
  return localMs - (parts(timeZone, guess).local - guess);
}

/** `YYYY-MM-DD` on the clock in `timeZone` at the instant (a report's day). */
export function localDate(timeZone: string, ms: number): string {
  const { y, m, d } = parts(timeZone, ms);
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
}

function minutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`business hours: "${hhmm}" is not HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function checkBusinessHours(hours: BusinessHours): BusinessHours {
  new Intl.DateTimeFormat('en-US', { timeZone: hours.timeZone });
  if (minutes(hours.from) >= minutes(hours.to)) throw new Error('business hours: from must be before to');
  if (hours.days.length === 0 || !hours.days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) {
    throw new Error('business hours: days are ISO weekdays 1–7');
  }
  return hours;
}

const DAY = 86_400_000;

/** Milliseconds between two instants that fall inside business hours (all of them without hours). */
export function waitMs(startMs: number, endMs: number, hours?: BusinessHours): number {
  if (endMs <= startMs) return 0;
  if (!hours) return endMs - startMs;
  const open = minutes(hours.from) * 60_000;
  const close = minutes(hours.to) * 60_000;
  const first = parts(hours.timeZone, startMs);
  let day = Date.UTC(first.y, first.m - 1, first.d);
  let total = 0;
  // A year and a bit of days at most: older waits are long past any target anyway.
  for (let i = 0; i < 400; i++, day += DAY) {
    const from = instant(hours.timeZone, day + open);
    if (from >= endMs) break;
    const weekday = new Date(day).getUTCDay() || 7;
    if (!hours.days.includes(weekday)) continue;
    const to = instant(hours.timeZone, day + close);
    total += Math.max(0, Math.min(to, endMs) - Math.max(from, startMs));
  }
  return total;
}

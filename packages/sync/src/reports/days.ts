/**
 * Calendar days in a time zone (IANA name; UTC without one), for the report's per-day rows: the local date
 * of an instant, and the instant a local day starts (daylight saving included).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
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
  return f;
}

/** The wall clock in `timeZone` at `ms`, read as if it were UTC. */
function wallClock(timeZone: string, ms: number): number {
  const v: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms))
    if (p.type !== 'literal') v[p.type] = Number(p.value);
  return Date.UTC(v.year!, v.month! - 1, v.day!, v.hour!, v.minute!, v.second!);
}

/** Throws a RangeError naming the zone when it is not one the runtime knows. */
export function checkTimeZone(timeZone: string): string {
  formatter(timeZone);
  return timeZone;
}

/** `YYYY-MM-DD` of the instant in the zone. */
export function localDay(timeZone: string, ms: number): string {
  return new Date(wallClock(timeZone, ms)).toISOString().slice(0, 10);
}

/** The instant the local day `YYYY-MM-DD` starts in the zone. */
export function dayStart(timeZone: string, day: string): number {
  const local = Date.parse(`${day}T00:00:00.000Z`);
  const guess = local - (wallClock(timeZone, local) - local);
  return local - (wallClock(timeZone, guess) - guess);
}

/** The day after `YYYY-MM-DD`. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}

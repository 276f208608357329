/**
 * The calendar days of a report's per-day rows. The store knows no time zone: its own days are UTC ones;
 * days in the business hours' zone come in from the caller (the inbox's `reportHours`), as the counted
 * time does, so the zone arithmetic lives once, beside the business-hours rule.
 */
export interface ReportDays {
  /** `YYYY-MM-DD` of the instant. */
  dayOf(ms: number): string;
  /** The instant the day `YYYY-MM-DD` starts. */
  dayStart(day: string): number;
}

export const UTC_DAYS: ReportDays = {
  dayOf: (ms) => new Date(ms).toISOString().slice(0, 10),
  dayStart: (day) => Date.parse(`${day}T00:00:00.000Z`),
};

/** The day after `YYYY-MM-DD` (calendar arithmetic, the same in every zone). */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}

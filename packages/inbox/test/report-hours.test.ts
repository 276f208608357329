/**
 * `reportHours`: the days a report counts in the business hours' zone (the inbox's one zone rule,
 * shared/business-hours.ts), daylight saving included, and the time inside the hours that counts.
 */
import { describe, expect, it } from 'vitest';
import { parseBusinessHours, reportHours } from '../src/reports/hours.js';

describe('reportHours', () => {
  it('gives the local day of an instant and the instant a local day starts', () => {
    const { days } = reportHours(parseBusinessHours('Europe/Moscow,1-5,09:00-18:00'));
    expect(days.dayOf(Date.parse('2026-11-30T20:59:59Z'))).toBe('2026-11-30');
    expect(days.dayOf(Date.parse('2026-11-30T21:00:00Z'))).toBe('2026-12-01');
    expect(new Date(days.dayStart('2026-12-01')).toISOString()).toBe('2026-11-30T21:00:00.000Z');
  });

  it('follows daylight saving: a 23-hour day and a 25-hour day', () => {
    const { days } = reportHours(parseBusinessHours('Europe/Berlin,1-7,09:00-18:00'));
    expect(new Date(days.dayStart('2026-03-29')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(days.dayStart('2026-03-30')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(new Date(days.dayStart('2026-10-25')).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(new Date(days.dayStart('2026-10-26')).toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(days.dayOf(Date.parse('2026-03-29T22:30:00Z'))).toBe('2026-03-30');
    expect(days.dayOf(Date.parse('2026-10-25T22:30:00Z'))).toBe('2026-10-25');
  });

  it('counts only time inside the hours', () => {
    const { countedMs } = reportHours(parseBusinessHours('Europe/Moscow,1-5,09:00-18:00'));
    // Friday 2026-12-04 17:00 Moscow to Monday 2026-12-07 10:00 Moscow: one hour on Friday, one on Monday.
    expect(countedMs(Date.parse('2026-12-04T14:00:00Z'), Date.parse('2026-12-07T07:00:00Z'))).toBe(
      2 * 3_600_000,
    );
  });
});

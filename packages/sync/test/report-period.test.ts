/**
 * `reportPeriod`, the one parser of a report's period (`ym-chats report --from/--to`, the inbox's route):
 * dates start in the days it is given, `days=N` counts calendar days back to today, a cap applies only
 * when given, and every mistake names the parameter as the caller spells it.
 */
import { type ReportOptions, reportPeriod } from '@ym-chats/sync';
import { describe, expect, it } from 'vitest';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-12-07T10:30:00.000Z');

/** A fixed UTC+5 clock, written out here rather than through any zone code. */
const plusFive: NonNullable<ReportOptions['days']> = {
  dayOf: (ms) => new Date(ms + 5 * HOUR).toISOString().slice(0, 10),
  dayStart: (day) => Date.parse(`${day}T00:00:00.000Z`) - 5 * HOUR,
};

describe('reportPeriod', () => {
  it('reads dates as the start of the day, in UTC or in the days given, and date-times as written', () => {
    const utc = reportPeriod({ from: '2026-12-01', to: '2026-12-03' }, { now: NOW });
    expect(utc).toEqual({ from: Date.parse('2026-12-01T00:00:00Z'), to: Date.parse('2026-12-03T00:00:00Z') });
    const zoned = reportPeriod({ from: '2026-12-01', to: '2026-12-03' }, { now: NOW, days: plusFive });
    expect(zoned).toEqual({ from: utc.from - 5 * HOUR, to: utc.to - 5 * HOUR });
    const exact = reportPeriod({ from: ' 2026-12-01T09:00:00+03:00 ' }, { now: NOW });
    expect(exact).toEqual({ from: Date.parse('2026-12-01T06:00:00Z'), to: NOW });
  });

  it('defaults to the week before to, and to now', () => {
    expect(reportPeriod({}, { now: NOW })).toEqual({ from: NOW - 7 * DAY, to: NOW });
    const to = Date.parse('2026-11-10T00:00:00Z');
    expect(reportPeriod({ to: '2026-11-10' }, { now: NOW })).toEqual({ from: to - 7 * DAY, to });
  });

  it('counts days=N back to the start of the day N-1 days ago, in the days given', () => {
    expect(reportPeriod({ days: '1' }, { now: NOW })).toEqual({
      from: Date.parse('2026-12-07T00:00:00Z'),
      to: NOW,
    });
    // 10:30 UTC is 15:30 at UTC+5: its today began at 19:00 UTC the evening before.
    expect(reportPeriod({ days: '3' }, { now: NOW, days: plusFive })).toEqual({
      from: Date.parse('2026-12-04T19:00:00Z'),
      to: NOW,
    });
  });

  it('caps the length only when asked to', () => {
    const long = { from: '2020-01-01', to: '2026-01-01' };
    expect(reportPeriod(long, { now: NOW }).from).toBe(Date.parse('2020-01-01T00:00:00Z'));
    expect(() => reportPeriod(long, { now: NOW, maxDays: 366 })).toThrow(
      'the period is longer than 366 days: ask for a shorter one',
    );
    expect(() => reportPeriod({ days: '367' }, { now: NOW, maxDays: 366 })).toThrow(
      'days "367" is not a whole number from 1 to 366',
    );
    expect(() => reportPeriod({ days: '0' }, { now: NOW })).toThrow(
      'days "0" is not a whole number of at least 1',
    );
  });

  it('names each mistake’s parameter as the caller spells it', () => {
    const flags = { now: NOW, spell: (p: string) => `--${p}` };
    expect(() => reportPeriod({ from: '2026-02-30' }, flags)).toThrow(
      /^--from "2026-02-30" is not a date \(/,
    );
    expect(() => reportPeriod({ from: '2026-02-30' }, { now: NOW })).toThrow(
      /^from "2026-02-30" is not a date \(/,
    );
    expect(() => reportPeriod({ to: 'yesterday' }, flags)).toThrow(/^--to "yesterday" is not a date/);
    expect(() => reportPeriod({ from: '2026-12-02', to: '2026-12-01' }, flags)).toThrow(
      '--from (2026-12-02T00:00:00.000Z) must be before --to (2026-12-01T00:00:00.000Z); --to is not included',
    );
    expect(() => reportPeriod({ days: '7', from: '2026-12-01' }, { now: NOW })).toThrow(
      'give either days or from/to, not both',
    );
    expect(() => reportPeriod({ from: '2026-02-30' }, { now: NOW })).toThrow(RangeError);
  });
});

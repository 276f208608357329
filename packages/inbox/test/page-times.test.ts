/**
 * The page's dates and times (client/times.ts), in node: the labels of the log's day separators depend on
 * "now", which the browser tests cannot move. The same module runs in the page; Chromium checks the rest.
 */
import { describe, expect, it } from 'vitest';
import { translator } from '../client/i18n.js';
import { dateTime, dayLabel, dayStarts, timeOfDay } from '../client/times.js';

const ru = translator('ru');
const en = translator('en');
/** Local noon, so no time zone moves a moment to another day. */
const at = (y: number, m: number, d: number, h = 12, min = 0) =>
  new Date(y, m - 1, d, h, min, 14).toISOString();
const now = Date.parse(at(2026, 6, 12, 12));

describe("the page's dates and times", () => {
  it('labels days as today, yesterday, a date, and a date with its year', () => {
    expect(dayLabel(ru, at(2026, 6, 12, 0, 5), now)).toBe('Сегодня');
    expect(dayLabel(ru, at(2026, 6, 11, 23, 59), now)).toBe('Вчера');
    expect(dayLabel(ru, at(2026, 6, 2), now)).toBe('2 июня');
    expect(dayLabel(ru, at(2025, 12, 31), now)).toBe('31 декабря 2025 г.');
    expect(dayLabel(en, at(2026, 6, 11), now)).toBe('Yesterday');
    expect(dayLabel(en, at(2026, 6, 2), now)).toBe('June 2');
  });

  it("writes times in the page's language, without seconds", () => {
    expect(timeOfDay(ru, at(2026, 6, 12, 5, 36))).toBe('05:36');
    expect(timeOfDay(en, at(2026, 6, 12, 17, 36))).toBe('05:36 PM');
    expect(dateTime(ru, at(2026, 6, 12, 5, 36))).toBe('12 июн. 2026 г., 05:36');
  });

  it('starts a new day separator where the day changes', () => {
    const messages = [
      { messageId: 1, createdAt: at(2026, 6, 10, 9) },
      { messageId: 2, createdAt: at(2026, 6, 10, 18) },
      { messageId: 3, createdAt: at(2026, 6, 11, 8) },
      { messageId: 4, createdAt: at(2026, 6, 12, 8) },
      { messageId: 5, createdAt: at(2026, 6, 12, 9) },
    ];
    expect([...dayStarts(messages)]).toEqual([1, 3, 4]);
  });
});

/**
 * Dates and times in the page's language, not the browser's: a Russian page on an English browser still
 * says "12 июня, 05:36". Minutes are enough for a conversation (no seconds); the log's day separators
 * ("Сегодня", "Вчера", a date) carry the day, so a message shows its time only.
 */
import type { T } from './i18n.js';

const formats = new Map<string, Intl.DateTimeFormat>();

function format(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let found = formats.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, options);
    formats.set(key, found);
  }
  return found;
}

const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
const DATE_TIME: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };

/** "05:36": a message's time of day (its day is in the separator above it). */
export function timeOfDay(t: T, iso: string): string {
  return format(t('locale'), TIME).format(new Date(iso));
}

/** "12 июн. 2026 г., 05:36": a full moment (the audit trail, a time's tooltip). */
export function dateTime(t: T, iso: string): string {
  return format(t('locale'), DATE_TIME).format(new Date(iso));
}

/** The local calendar day of a moment, as a comparable key. */
export function dayKey(iso: string | number): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** "Сегодня", "Вчера", "12 июня", or "12 июня 2025 г." for another year. */
export function dayLabel(t: T, iso: string, now: number): string {
  const day = dayKey(iso);
  if (day === dayKey(now)) return t('today');
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (day === dayKey(yesterday.getTime())) return t('yesterday');
  const date = new Date(iso);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return format(t('locale'), {
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(date);
}

/** Ids of the messages that begin a new day in the log (the first message always does). */
export function dayStarts(messages: Array<{ messageId: number; createdAt: string }>): Set<number> {
  const starts = new Set<number>();
  let previous = '';
  for (const m of messages) {
    const day = dayKey(m.createdAt);
    if (day !== previous) starts.add(m.messageId);
    previous = day;
  }
  return starts;
}

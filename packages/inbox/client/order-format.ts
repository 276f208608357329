/**
 * Money and delivery days in the page's language: "1 990 ₽" / "₽1,990", "8–10 декабря" / "Dec 8 – 10".
 * Delivery dates come as calendar days (`YYYY-MM-DD`), so they are formatted as days in UTC, never
 * shifted by the browser's time zone.
 */
import type { MoneySummary, OrderSummary } from './api.js';
import type { T } from './i18n.js';
import { phrase } from './order-i18n.js';

const money = new Map<string, Intl.NumberFormat>();

/** The API says `RUR` for roubles (the pre-1998 code); `Intl` knows them as `RUB`. */
const CURRENCY: Readonly<Record<string, string>> = { RUR: 'RUB' };

export function formatMoney(t: T, amount: MoneySummary): string {
  const currency = CURRENCY[amount.currency] ?? amount.currency;
  const whole = Number.isInteger(amount.value);
  const key = `${t('locale')}|${currency}|${whole}`;
  let format = money.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(t('locale'), {
        style: 'currency',
        currency,
        currencyDisplay: 'narrowSymbol',
        minimumFractionDigits: whole ? 0 : 2,
        maximumFractionDigits: 2,
      });
    } catch {
      // A currency code Intl does not know: the number in the page's way, the code as the API wrote it.
      return `${amount.value.toLocaleString(t('locale'))} ${amount.currency}`;
    }
    money.set(key, format);
  }
  return format.format(amount.value);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayDate(day: string): Date | undefined {
  if (!DAY.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "8 декабря" (the year only when it is not this one); anything but a day is shown as written. */
export function formatDay(t: T, day: string): string {
  const date = dayDate(day);
  if (!date) return day;
  const sameYear = date.getUTCFullYear() === new Date().getUTCFullYear();
  return new Intl.DateTimeFormat(t('locale'), {
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
    timeZone: 'UTC',
  }).format(date);
}

/** "8–10 декабря", or one day when the window is one day. */
export function formatDays(t: T, from: string | undefined, to: string | undefined): string | undefined {
  if (!from) return to === undefined ? undefined : formatDay(t, to);
  const start = dayDate(from);
  const end = to === undefined ? undefined : dayDate(to);
  if (!start || !end || from === to) return formatDay(t, from);
  const sameYear = start.getUTCFullYear() === new Date().getUTCFullYear();
  return new Intl.DateTimeFormat(t('locale'), {
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
    timeZone: 'UTC',
  }).formatRange(start, end);
}

/** The order's delivery in one phrase: the day it was delivered, else the promised window. */
export function deliveryDate(t: T, order: OrderSummary): string | undefined {
  const d = order.delivery;
  return d.deliveredAt ? formatDay(t, d.deliveredAt) : formatDays(t, d.from, d.to);
}

/** The order's status in words, for the panel's summary and the `{orderStatus}` variable. */
export function orderStatus(t: T, order: OrderSummary): string {
  return phrase(t, 'status', order.status);
}

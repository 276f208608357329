/** One timestamp form in the store: ISO 8601 in UTC with milliseconds, so text order is time order. */
export function isoUtc(value: string | number | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date-time: ${String(value)}`);
  return date.toISOString();
}

export function isoNow(now: () => number = Date.now): string {
  return new Date(now()).toISOString();
}

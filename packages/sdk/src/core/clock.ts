/**
 * Monotonic milliseconds for deadlines and settle waits (never the wall clock, which can jump). Read
 * from `process.hrtime`: the `performance` global would load perf_hooks on first use, a cost every cold
 * start would pay.
 */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}

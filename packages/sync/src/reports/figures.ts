/** The report's arithmetic (issue 23): nearest-rank percentiles and the SLA met share. */

/** The p-th percentile by nearest rank: the ⌈p·n⌉-th smallest value; null without values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

/** Answered waits within the target ÷ answered waits; null when none was answered. */
export function metShare(seconds: readonly number[], targetSeconds: number): number | null {
  if (seconds.length === 0) return null;
  return seconds.filter((s) => s <= targetSeconds).length / seconds.length;
}

export const ascending = (a: number, b: number) => a - b;

/** How a wait compares with the first-reply target: the queue's colours. */
export type Urgency = 'ok' | 'soon' | 'late';

/** Past half the target is "soon", past the target "late". */
export function urgency(waitMs: number, targetMs: number): Urgency {
  if (waitMs >= targetMs) return 'late';
  if (waitMs >= targetMs / 2) return 'soon';
  return 'ok';
}

/** "42 s", "7 min", "3 h 05 min", "2 d 4 h". */
export function formatWait(ms: number, units: { s: string; min: string; h: string; d: string }): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} ${units.s}`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} ${units.min}`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} ${units.h} ${String(m % 60).padStart(2, '0')} ${units.min}`;
  return `${Math.floor(h / 24)} ${units.d} ${h % 24} ${units.h}`;
}

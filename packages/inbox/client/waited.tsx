import { useEffect, useState } from 'preact/hooks';
import { type BusinessHours, waitMs } from '../src/shared/business-hours.js';
import { formatWait, urgency } from '../src/shared/urgency.js';
import type { T } from './i18n.js';

/** What the chat header needs to count a wait as the queue does: the server's clock and the target. */
export interface WaitClock {
  /** Server time minus this browser's, so every page counts from the same moment. */
  offsetMs: number;
  targetMs: number;
  hours: BusinessHours | undefined;
}

/**
 * "The buyer has waited 12 min" in the open chat's header, live and coloured like the queue. It ticks on
 * its own timer so the log and the reply box are not re-rendered every second.
 */
export function Waited({ t, since, clock }: { t: T; since: string | undefined; clock: WaitClock }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!since) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [since]);
  if (!since) return null;
  const waited = waitMs(Date.parse(since), now + clock.offsetMs, clock.hours);
  const level = urgency(waited, clock.targetMs);
  const w = formatWait(waited, { s: t('s'), min: t('min'), h: t('h'), d: t('d') });
  return (
    <span class={`wait ${level}`}>
      {level === 'late' ? '⚠ ' : ''}
      {t('waitsFor', { w })}
    </span>
  );
}

/**
 * The figures every part of the suite reports. Each test file (and the soak) counts its own and writes
 * them to `.results/<source>.json`; the summary adds them up. Nothing here is estimated: every number is
 * incremented where the event was observed.
 */
export interface Figures {
  /** Faults the emulator actually fired (rule `fired` counters and per-request fault headers). */
  faultsInjected: number;
  /** HTTP attempts the SDK made (one `debug` "→" line per attempt) plus raw requests sent by the suite. */
  calls: number;
  /** Retries the SDK announced (`warn` lines carrying `delayMs`). */
  retries: number;
  /** Errors that reached the caller after the SDK gave up. */
  errorsSurfaced: number;
  /** Logical sends (text or file) attempted by the drivers. */
  sent: number;
  /** Sends found more than once in the history. Must be 0. */
  duplicated: number;
  /** Sends that resolved OK but are missing from the history. Must be 0. */
  lost: number;
  /** Sends that failed with maybeSent: true, split by what the history showed. */
  maybeSentDelivered: number;
  maybeSentMissing: number;
  /** Sends that failed with maybeSent: false but appeared anyway. Must be 0. */
  phantoms: number;
  /** Items missing from, or repeated in, a full pass of an iterator compared with the truth. Must be 0. */
  pagesSkipped: number;
  pagesRepeated: number;
  /** Hostile inputs tried, how many got a clear error, how many crashed something. */
  hostileTried: number;
  hostileClear: number;
  crashes: number;
  /** 420s for exceeding a quota or the parallel cap while the SDK limiter was on. Must be 0. */
  quotaExceeded: number;
  /** Highest VmHWM/VmRSS seen in a child emulator process, bytes. */
  peakRssBytes: number;
  /** Secret-leak checks made and leaks found (must be 0). */
  leakChecks: number;
  leaks: number;
}

export const FIGURE_KEYS: readonly (keyof Figures)[] = [
  'faultsInjected',
  'calls',
  'retries',
  'errorsSurfaced',
  'sent',
  'duplicated',
  'lost',
  'maybeSentDelivered',
  'maybeSentMissing',
  'phantoms',
  'pagesSkipped',
  'pagesRepeated',
  'hostileTried',
  'hostileClear',
  'crashes',
  'quotaExceeded',
  'peakRssBytes',
  'leakChecks',
  'leaks',
];

export function emptyFigures(): Figures {
  const out = {} as Figures;
  for (const key of FIGURE_KEYS) out[key] = 0;
  return out;
}

/** Adds `more` into `into`; the peak RSS is a maximum, everything else a sum. */
export function addFigures(into: Figures, more: Partial<Figures>): Figures {
  for (const key of FIGURE_KEYS) {
    const value = more[key] ?? 0;
    into[key] = key === 'peakRssBytes' ? Math.max(into[key], value) : into[key] + value;
  }
  return into;
}

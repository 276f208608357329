/**
 * What get_report reads, declared here because this package reaches only the SDK: the CLI wires it to
 * @ym-chats/sync's `report()` over the store (options.ts `reports`).
 */

export interface ReportRequest {
  /** The period [from, to), ISO 8601. */
  from: string;
  to: string;
  targetMinutes: number;
}

/** The figures, as `report()` of @ym-chats/sync computes them (its `ReportSummary`). */
export interface ReportFigures {
  from: string;
  to: string;
  targetMinutes: number;
  answered: number;
  open: number;
  medianResponseSeconds: number | null;
  p90ResponseSeconds: number | null;
  slaMetShare: number | null;
  firstResponse: { count: number; medianSeconds: number | null; p90Seconds: number | null };
  perAgent: {
    agent: string;
    answered: number;
    medianResponseSeconds: number | null;
    slaMetShare: number | null;
  }[];
  perDay: {
    day: string;
    answered: number;
    open: number;
    medianResponseSeconds: number | null;
    p90ResponseSeconds: number | null;
    slaMetShare: number | null;
  }[];
}

export type ReportReader = (request: ReportRequest) => Promise<ReportFigures>;

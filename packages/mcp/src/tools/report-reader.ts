/**
 * What get_report reads, declared here because this package reaches only the SDK: the CLI wires it to
 * @ym-chats/sync's `report()` over the store (options.ts `reports`), and the typechecker holds sync's
 * `ReportSummary` to these figures there. The figures are described once, as the tool's output schema;
 * their type is read from it.
 */
import { z } from 'zod';

/**
 * The period as the assistant typed it, parsed by the reader with the parser `ym-chats report` and the
 * inbox use (@ym-chats/sync's `reportPeriod`: a date or an ISO 8601 date-time; `to` now and `from` 7 days
 * before it when left out), so a mistake gets the same words everywhere; the reader throws them.
 */
export interface ReportRequest {
  from?: string | undefined;
  /** Not included. */
  to?: string | undefined;
  /** The server's clock, in ms: the default `to`. */
  now: number;
  targetMinutes: number;
}

const seconds = z.number().nullable();
const share = z.number().nullable().describe('answered within the target ÷ answered (null: none answered)');

/** get_report's output schema: `report()`'s summary, field for field. */
export const REPORT_FIGURES = {
  from: z.string(),
  to: z.string(),
  targetMinutes: z.number(),
  answered: z.number(),
  open: z.number(),
  medianResponseSeconds: seconds,
  p90ResponseSeconds: seconds,
  slaMetShare: share,
  firstResponse: z.object({ count: z.number(), medianSeconds: seconds, p90Seconds: seconds }),
  perAgent: z.array(
    z.object({
      agent: z.string(),
      answered: z.number(),
      medianResponseSeconds: seconds,
      slaMetShare: share,
    }),
  ),
  perDay: z.array(
    z.object({
      day: z.string(),
      answered: z.number(),
      open: z.number(),
      medianResponseSeconds: seconds,
      p90ResponseSeconds: seconds,
      slaMetShare: share,
    }),
  ),
};

/** The figures, as `report()` of @ym-chats/sync computes them (its `ReportSummary`). */
export type ReportFigures = z.infer<z.ZodObject<typeof REPORT_FIGURES>>;

export type ReportReader = (request: ReportRequest) => Promise<ReportFigures>;

/**
 * get_report (read-only): issue 23's support figures for a period — answered waits, the backlog, median and
 * p90 response times, SLA met share, first responses, per agent and per day. This package reaches only the
 * SDK, so it declares what it needs (`ReportReader`) and the CLI wires it to @ym-chats/sync's `report()`
 * over the store (with the inbox's send ledger for agent credit); without a store the tool is not offered.
 */
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { errorResult, explainApiError } from '../errors.js';
import { READ_ANNOTATIONS } from './annotations.js';
import { REPORT_FIGURES, type ReportReader } from './report-reader.js';

/** As `serve --reply-target`. */
const DEFAULT_TARGET_MINUTES = 15;

/** Checked by the reader's parser (the one `ym-chats report` and the inbox use), which names a mistake. */
const instant = z
  .string()
  .max(64)
  .describe('an ISO 8601 date (its start, UTC) or date-time, e.g. 2026-11-01 or 2026-11-01T09:00:00+03:00');

export function registerGetReport(ctx: ToolContext, read: ReportReader): void {
  ctx.server.registerTool(
    'get_report',
    {
      title: 'Support report',
      description:
        'Support figures from the local sync store for the period [from, to) (default: the last 7 days): ' +
        "waits answered (a wait opens at a buyer's message and closes at the seller's next one; platform " +
        'messages neither), waits still open at the end, median and p90 response time in seconds (nearest ' +
        'rank), the share answered within targetMinutes, first responses, and the same per agent (the inbox ' +
        'login that answered; "outside" for replies from the cabinet or the API) and per day.',
      inputSchema: z.strictObject({
        from: instant.optional().describe('start of the period (default: 7 days before to)'),
        to: instant.optional().describe('end of the period, not included (default: now)'),
        targetMinutes: z
          .number()
          .min(1)
          .max(10_080)
          .optional()
          .describe(`first-reply target in minutes (default ${DEFAULT_TARGET_MINUTES})`),
      }),
      outputSchema: REPORT_FIGURES,
      annotations: { ...READ_ANNOTATIONS, openWorldHint: false },
    },
    async (input) => {
      try {
        const figures = await read({
          from: input.from,
          to: input.to,
          now: ctx.now().getTime(),
          targetMinutes: input.targetMinutes ?? DEFAULT_TARGET_MINUTES,
        });
        const pct = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v * 1000) / 10}%`);
        const lines = [
          `${figures.from} – ${figures.to}: ${figures.answered} answered, ${figures.open} open at the end.`,
          `Response median ${figures.medianResponseSeconds ?? 'n/a'} s, p90 ${figures.p90ResponseSeconds ?? 'n/a'} s; ` +
            `${pct(figures.slaMetShare)} within ${figures.targetMinutes} min.`,
          ...figures.perAgent.map(
            (a) =>
              `${a.agent}: ${a.answered} answered, median ${a.medianResponseSeconds ?? 'n/a'} s, ${pct(a.slaMetShare)} in target`,
          ),
        ];
        return {
          content: [{ type: 'text', text: lines.join('\n') }],
          structuredContent: { ...figures },
        };
      } catch (error) {
        return errorResult(explainApiError(error, 'get_report'));
      }
    },
  );
}

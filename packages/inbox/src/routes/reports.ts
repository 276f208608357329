/**
 * A business's support figures for the page's Reports view (issue 23):
 * `GET /api/businesses/:businessId/report?from&to|days` — the summary `report()` computes from the store's
 * waits, with the inbox's agent credit (its send ledger) and its business hours (counted time, and days in
 * their zone) — and with `format=csv`, one row per wait, written by the same writer as `ym-chats report
 * --csv`. An agent reads only their own businesses.
 */
import { report, reportCsv } from '@ym-chats/sync';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../http/respond.js';
import { sendLedgerCredit } from '../reports/credit.js';
import { reportHours } from '../reports/hours.js';
import { type ReportPeriod, reportPeriod } from '../reports/period.js';
import { StoreSource } from '../store/sql-source.js';
import type { ApiContext } from './context.js';
import { checkBusiness, parseId, queryParam, signedIn } from './context.js';

interface Params {
  businessId: string;
}

export function reportRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.get<{ Params: Params }>('/api/businesses/:businessId(^\\d+$)/report', async (request, reply) => {
    const { agent } = signedIn(request);
    const businessId = parseId(request.params.businessId, 'businessId');
    checkBusiness(ctx, agent, businessId);
    const source = ctx.options.source;
    if (!(source instanceof StoreSource)) {
      throw new HttpError(404, 'NO_REPORTS', 'reports need the sync store (serve the inbox over a store)');
    }
    const format = queryParam(request, 'format') ?? 'json';
    if (format !== 'json' && format !== 'csv') {
      throw new HttpError(400, 'BAD_FORMAT', `format "${format}" is not json or csv`);
    }
    const hours = ctx.businessHours ? reportHours(ctx.businessHours) : undefined;
    const period = readPeriod(request, hours?.days, Date.now());
    const targetMinutes = ctx.targetMs / 60_000;
    const result = await report(source.store, {
      from: new Date(period.from),
      to: new Date(period.to),
      targetMinutes,
      businessId,
      credit: sendLedgerCredit(source.store.database()),
      ...(hours ?? {}),
    });
    if (format === 'csv') {
      const name = `report-${businessId}-${result.summary.from.slice(0, 10)}-${result.summary.to.slice(0, 10)}.csv`;
      reply.header('Content-Type', 'text/csv; charset=utf-8');
      reply.header('Content-Disposition', `attachment; filename="${name}"`);
      return reportCsv(result.waits);
    }
    return {
      businessId,
      timeZone: ctx.businessHours?.timeZone ?? 'UTC',
      businessHours: ctx.businessHours !== undefined,
      ...result.summary,
    };
  });
}

/** The query's period; a mistake is a 400 naming the parameter and what it takes. */
function readPeriod(request: FastifyRequest, days: ReportPeriod['days'], now: number) {
  try {
    return reportPeriod(
      {
        from: queryParam(request, 'from'),
        to: queryParam(request, 'to'),
        days: queryParam(request, 'days'),
      },
      { days, now },
    );
  } catch (error) {
    if (error instanceof RangeError) throw new HttpError(400, 'BAD_PERIOD', error.message);
    throw error;
  }
}

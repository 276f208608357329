/**
 * `ym-chats report`: support figures from the sync store (issue 23) — answered waits, the backlog, median
 * and p90 response times, SLA met share, first responses, per agent and per day — as a table, one JSON
 * document (--json) or one CSV row per wait (--csv). Computed by @ym-chats/sync's `report()`; agent credit
 * and business hours come from @ym-chats/inbox (its send ledger and its hours rule) when it is installed.
 */
import { flag, numberFlag, str } from '../args.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { parseId } from '../ids.js';
import { renderTable } from '../output/table.js';
import type { Command, CommandContext } from './command.js';
import { loadInbox } from './mcp-drafts.js';
import { loadSync, openCliStore, STORE_OPTIONS } from './sync.js';

type Report = import('@ym-chats/sync').Report;
type ReportOptions = import('@ym-chats/sync').ReportOptions;
type SyncStore = import('@ym-chats/sync').SyncStore;
type SyncModule = typeof import('@ym-chats/sync');
type ReportFigures = import('@ym-chats/mcp').ReportFigures;

/**
 * get_report's figures are sync's summary, field for field: a field MCP's schema has and sync's lacks
 * fails where the summary is handed over; one sync adds and the schema lacks fails here.
 */
type SummaryAsFigures = ReportFigures & {
  [K in Exclude<keyof import('@ym-chats/sync').ReportSummary, keyof ReportFigures>]: never;
};

/** As `serve --reply-target` (the inbox's first-reply target). */
export const DEFAULT_TARGET_MINUTES = 15;

type ReportHours = Pick<ReportOptions, 'countedMs' | 'days'>;

/**
 * The period: --from/--to by sync's `reportPeriod`, the inbox route's parser too (the same mistakes get the
 * same words, the parameters spelled as flags); the 7 days before --to (default now) without --from. A
 * date alone starts in the --business-hours zone (`days`), else in UTC. No longest period here: the
 * store is the operator's own, and "all time" is a fair question.
 */
export function period(
  sync: SyncModule,
  ctx: CommandContext,
  now: number,
  days?: ReportOptions['days'],
): { from: number; to: number } {
  try {
    return sync.reportPeriod(
      { from: str(ctx.values, 'from'), to: str(ctx.values, 'to') },
      { days, now, spell: (parameter) => `--${parameter}` },
    );
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new UsageError(
      error.message,
      'Give e.g. --from 2026-11-01 (midnight UTC, or in the --business-hours zone) or --from 2026-11-01T09:00:00+03:00, and --to after it (not included; default now).',
    );
  }
}

/** --business-hours, by the inbox's rule: the time that counts and the days in their zone. */
async function hoursOf(spec: string | undefined): Promise<ReportHours> {
  if (spec === undefined) return {};
  const inbox = await loadInbox('--business-hours in reports');
  let hours: import('@ym-chats/inbox').BusinessHours;
  try {
    hours = inbox.parseBusinessHours(spec);
  } catch (error) {
    throw new UsageError(
      `--business-hours: ${(error as Error).message}`,
      `Give ${inbox.BUSINESS_HOURS_SPEC}, e.g. --business-hours Europe/Moscow,1-5,09:00-18:00 (ISO weekdays, 1 = Monday).`,
    );
  }
  return inbox.reportHours(hours);
}

/** Agent credit from the inbox's send ledger; without the inbox, every reply is `outside`. */
async function creditOf(ctx: CommandContext, store: SyncStore): Promise<Pick<ReportOptions, 'credit'>> {
  try {
    return { credit: (await loadInbox('agent credit in reports')).sendLedgerCredit(store.database()) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    ctx.out.warn('@ym-chats/inbox is not installed: every reply is credited to "outside".');
    return {};
  }
}

const seconds = (s: number | null) => {
  if (s === null) return '—';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
};
const share = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);

function printTable(ctx: CommandContext, { summary: r }: Report): void {
  const { out } = ctx;
  const lines = [
    `Support report ${r.from} – ${r.to} (target ${r.targetMinutes} min)`,
    `answered ${r.answered}, open at the end ${r.open}`,
    `response median ${seconds(r.medianResponseSeconds)}, p90 ${seconds(r.p90ResponseSeconds)}, within target ${share(r.slaMetShare)}`,
    `first responses ${r.firstResponse.count}: median ${seconds(r.firstResponse.medianSeconds)}, p90 ${seconds(r.firstResponse.p90Seconds)}`,
    '',
  ];
  out.write(`${lines.join('\n')}\n`);
  if (r.perAgent.length > 0) {
    out.write(
      `${renderTable(
        r.perAgent,
        [
          { header: 'AGENT', value: (a) => a.agent, flexible: true },
          { header: 'ANSWERED', value: (a) => String(a.answered), align: 'right' },
          { header: 'MEDIAN', value: (a) => seconds(a.medianResponseSeconds), align: 'right' },
          { header: 'IN TARGET', value: (a) => share(a.slaMetShare), align: 'right' },
        ],
        { maxWidth: out.width },
      )}\n`,
    );
  }
  out.write(
    renderTable(
      r.perDay,
      [
        { header: 'DAY', value: (d) => d.day },
        { header: 'ANSWERED', value: (d) => String(d.answered), align: 'right' },
        { header: 'OPEN', value: (d) => String(d.open), align: 'right' },
        { header: 'MEDIAN', value: (d) => seconds(d.medianResponseSeconds), align: 'right' },
        { header: 'IN TARGET', value: (d) => share(d.slaMetShare), align: 'right' },
      ],
      { maxWidth: out.width },
    ),
  );
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'support figures from the sync store: response times, SLA, backlog, per agent and per day',
  usage:
    'report [--from ISO] [--to ISO] [--target MIN] [--business ID] [--business-hours SPEC] [--json | --csv] ' +
    '[--store PATH|URL] [--schema NAME]',
  description:
    'Reads the waits kept in the sync store (filled by `ym-chats sync` or `serve`): a wait opens at a ' +
    "buyer's message when none is open and closes at the seller's next message; the platform's messages " +
    'neither open nor close one. For the period [--from, --to) (default: the last 7 days) it prints the ' +
    'waits answered, those still open at the end, the median and p90 response time (nearest rank), the ' +
    'share answered within --target minutes (default 15, as serve --reply-target), first responses, and ' +
    'the same per agent (the inbox login that sent the answer; `outside` for a reply from the cabinet or ' +
    'the API) and per day. --business-hours counts only time inside them and days in their zone. --json ' +
    'prints one object; --csv one row per wait answered in the period or open at its end.',
  options: {
    from: {
      type: 'string',
      arg: 'ISO',
      help: 'start of the period (default: 7 days before --to); a date alone is midnight in the --business-hours zone, else UTC',
    },
    to: { type: 'string', arg: 'ISO', help: 'end of the period, not included (default: now)' },
    target: {
      type: 'string',
      arg: 'MIN',
      help: `first-reply target in minutes (default ${DEFAULT_TARGET_MINUTES})`,
    },
    business: { type: 'string', arg: 'ID', help: 'one business (default: every business in the store)' },
    'business-hours': {
      type: 'string',
      arg: 'SPEC',
      help: 'count only business hours: ZONE,DAYS,HH:MM-HH:MM, e.g. Europe/Moscow,1-5,09:00-18:00',
    },
    csv: { type: 'boolean', help: 'one CSV row per wait instead of the summary' },
    ...STORE_OPTIONS,
  },
  positionals: { min: 0, max: 0, names: '' },
  examples: [
    ['report', 'the last 7 days from .ym-chats/store.sqlite'],
    [
      'report --from 2026-11-01 --to 2026-12-01 --target 30 --json',
      'November as one JSON object, a 30-minute target',
    ],
    [
      'report --business-hours Europe/Moscow,1-5,09:00-18:00 --csv > waits.csv',
      'each wait in Moscow business hours, for a spreadsheet',
    ],
  ],
  usesApi: false,
  async run(ctx) {
    const { values, out } = ctx;
    const csv = flag(values, 'csv');
    if (csv && out.json) throw new UsageError('--json and --csv exclude each other', 'Pick one of them.');
    const hours = await hoursOf(str(values, 'business-hours'));
    const sync = await loadSync();
    const { from, to } = period(sync, ctx, Date.now(), hours.days);
    const targetMinutes =
      numberFlag(values, 'target', { min: 1, max: 10_080, integer: false }) ?? DEFAULT_TARGET_MINUTES;
    const businessText = str(values, 'business');
    const businessId =
      businessText === undefined
        ? undefined
        : BigInt(
            parseId(businessText, '--business', 'Give the business (cabinet) id, e.g. --business 1001.'),
          );
    const store = await openCliStore(ctx, sync);
    try {
      const result = await sync.report(store, {
        from: new Date(from),
        to: new Date(to),
        targetMinutes,
        ...(businessId === undefined ? {} : { businessId }),
        ...hours,
        ...(await creditOf(ctx, store)),
      });
      if (out.json) out.document(result.summary);
      else if (csv) out.write(sync.reportCsv(result.waits));
      else printTable(ctx, result);
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};

/** `ym-chats mcp --store`'s get_report: the same figures for the server's business, agent credit included. */
export async function storeReports(
  ctx: CommandContext,
  store: SyncStore,
  businessId: import('@ym-chats/sdk').Id,
): Promise<import('@ym-chats/mcp').ReportReader> {
  const sync = await loadSync();
  const parts = await creditOf(ctx, store);
  return async ({ from, to, now, targetMinutes }) => {
    const period = sync.reportPeriod({ from, to }, { now });
    const figures: SummaryAsFigures = (
      await sync.report(store, {
        from: new Date(period.from),
        to: new Date(period.to),
        targetMinutes,
        businessId: BigInt(businessId),
        ...parts,
      })
    ).summary;
    return figures;
  };
}

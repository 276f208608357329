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
const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 7;

type ReportHours = Pick<ReportOptions, 'countedMs' | 'days'>;

/**
 * A --from/--to instant. A date alone is the start of that day: in the business hours' zone when given
 * (`days`), else UTC.
 */
function instantFlag(
  ctx: CommandContext,
  name: 'from' | 'to',
  days: ReportOptions['days'],
): number | undefined {
  const raw = str(ctx.values, name)?.trim();
  if (raw === undefined) return undefined;
  let ms = Number.NaN;
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(raw))) {
    ms = days ? days.dayStart(raw) : Date.parse(`${raw}T00:00:00.000Z`);
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) ms = Date.parse(raw);
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `--${name} "${raw}" is not an ISO 8601 date or date-time`,
      `Give e.g. --${name} 2026-11-01 (midnight UTC, or in the --business-hours zone) or --${name} 2026-11-01T09:00:00+03:00.`,
    );
  }
  return ms;
}

/** The period: --from/--to; the 7 days before --to (default now) without --from. */
export function period(
  ctx: CommandContext,
  now: number,
  days?: ReportOptions['days'],
): { from: number; to: number } {
  const fromFlag = instantFlag(ctx, 'from', days);
  const toFlag = instantFlag(ctx, 'to', days);
  const to = toFlag ?? now;
  const from = fromFlag ?? to - DEFAULT_DAYS * DAY_MS;
  if (from >= to) {
    throw new UsageError(
      `--from (${new Date(from).toISOString()}) must be before --to (${new Date(to).toISOString()})`,
      'Swap them, or drop --to to report up to now.',
    );
  }
  return { from, to };
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
    const { from, to } = period(ctx, Date.now(), hours.days);
    const targetMinutes =
      numberFlag(values, 'target', { min: 1, max: 10_080, integer: false }) ?? DEFAULT_TARGET_MINUTES;
    const businessText = str(values, 'business');
    const businessId =
      businessText === undefined
        ? undefined
        : BigInt(
            parseId(businessText, '--business', 'Give the business (cabinet) id, e.g. --business 1001.'),
          );
    const sync = await loadSync();
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
  return async (request) => {
    const figures: SummaryAsFigures = (
      await sync.report(store, { ...request, businessId: BigInt(businessId), ...parts })
    ).summary;
    return figures;
  };
}

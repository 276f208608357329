/**
 * `report(store, options)`: support figures for a period [from, to) from the store's waits (issue 23):
 * answered waits (closed in the period), the backlog at `to`, nearest-rank median and p90 response times,
 * the SLA met share, first responses, per agent and per day, and one row per wait for a CSV. It reads only
 * the waits alive in the period (closed since `from`, or still open), by index, never every message.
 *
 * What the store does not know comes in as functions: which agent sent a closing message (the inbox's send
 * ledger; anything else is `outside`) and how much of a wait counts (business hours; calendar time without).
 */
import type { SyncStore } from '../store/store.js';
import { nextDay, type ReportDays, UTC_DAYS } from './days.js';
import { ascending, metShare, percentile } from './figures.js';

/** A PARTNER message that closed a wait. */
export interface ClosingMessage {
  chatId: bigint;
  messageId: bigint;
}

/** Who sent each of these messages from the inbox (message id → login); absent ones were sent elsewhere. */
export type AgentCredit = (
  businessId: bigint,
  closing: readonly ClosingMessage[],
) => Promise<ReadonlyMap<bigint, string>>;

/** The agent of a reply not sent from the inbox (cabinet, API, another integration). */
export const OUTSIDE_AGENT = 'outside';

export interface ReportOptions {
  /** The period [from, to). */
  from: Date | string;
  to: Date | string;
  /** The first-reply target in minutes (the SLA). */
  targetMinutes: number;
  /** One business; every business in the store without it. */
  businessId?: bigint | number;
  /** The days the per-day rows are counted in (the business hours' zone, `reportHours`); UTC without. */
  days?: ReportDays;
  /** Milliseconds of [startMs, endMs) that count (business hours); all of them without it. */
  countedMs?: (startMs: number, endMs: number) => number;
  credit?: AgentCredit;
}

export interface AgentFigures {
  agent: string;
  answered: number;
  medianResponseSeconds: number | null;
  slaMetShare: number | null;
}

export interface DayFigures {
  /** `YYYY-MM-DD` in the report's time zone. */
  day: string;
  answered: number;
  /** The backlog at the end of the day (or at `to`, for the period's last day). */
  open: number;
  medianResponseSeconds: number | null;
  p90ResponseSeconds: number | null;
  slaMetShare: number | null;
}

export interface ReportSummary {
  from: string;
  to: string;
  targetMinutes: number;
  answered: number;
  open: number;
  medianResponseSeconds: number | null;
  p90ResponseSeconds: number | null;
  slaMetShare: number | null;
  firstResponse: { count: number; medianSeconds: number | null; p90Seconds: number | null };
  perAgent: AgentFigures[];
  perDay: DayFigures[];
}

/** One wait answered in the period or open at its end. */
export interface ReportWait {
  businessId: bigint;
  chatId: bigint;
  orderId: bigint | null;
  returnId: bigint | null;
  openedAt: string;
  /** Null: still open at `to`. */
  closedAt: string | null;
  responseSeconds: number | null;
  agent: string | null;
  withinTarget: boolean | null;
  /** The chat's first wait. */
  first: boolean;
}

export interface Report {
  summary: ReportSummary;
  waits: ReportWait[];
}

interface Alive {
  businessId: bigint;
  chatId: bigint;
  orderId: bigint | null;
  returnId: bigint | null;
  openedAt: string;
  openedMs: number;
  closeMessageId: bigint | null;
  closedAt: string | null;
  closedMs: number | null;
  first: boolean;
}

const SELECT = `SELECT w.business_id, w.chat_id, w.opened_at, w.close_message_id, w.closed_at, w.first_wait,
       c.order_id, c.return_id
  FROM waits w LEFT JOIN chats c ON c.business_id = w.business_id AND c.chat_id = w.chat_id`;
/** Closed since `from` (index waits_by_close), and still open (waits_unanswered); both opened before `to`. */
const CLOSED_SINCE = `${SELECT} WHERE w.business_id = ? AND w.closed_at >= ? AND w.opened_at < ?`;
const STILL_OPEN = `${SELECT} WHERE w.business_id = ? AND w.closed_at IS NULL AND w.opened_at < ?`;
/** The businesses with waits, one index probe each (a skip scan both engines run). */
const BUSINESSES = `WITH RECURSIVE b(id) AS (
  SELECT MIN(business_id) FROM waits
  UNION ALL SELECT (SELECT MIN(w.business_id) FROM waits w WHERE w.business_id > b.id) FROM b WHERE b.id IS NOT NULL
) SELECT id FROM b WHERE id IS NOT NULL`;

function instant(value: Date | string, name: string): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`report: ${name} is not a date-time (${String(value)})`);
  return ms;
}

const big = (v: unknown) => (v === null || v === undefined ? null : BigInt(v as bigint));

export async function report(store: SyncStore, options: ReportOptions): Promise<Report> {
  const fromMs = instant(options.from, 'from');
  const toMs = instant(options.to, 'to');
  if (fromMs >= toMs) throw new RangeError('report: from must be before to');
  if (!Number.isFinite(options.targetMinutes) || options.targetMinutes <= 0) {
    throw new RangeError('report: targetMinutes must be a positive number');
  }
  const days = options.days ?? UTC_DAYS;
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const sql = store.database();
  const businesses =
    options.businessId === undefined
      ? (await sql.all(BUSINESSES)).map((r) => BigInt(r.id as bigint))
      : [BigInt(options.businessId)];
  const rows = [];
  // Planned with the period's own bounds, never as a prepared generic plan: PostgreSQL would then assume a
  // third of all waits closed since `from` and join every chat by a full scan (4.5× at 10× the history).
  for (const business of businesses) {
    rows.push(...(await sql.all(CLOSED_SINCE, [business, from, to])));
    rows.push(...(await sql.all(STILL_OPEN, [business, to])));
  }
  const alive: Alive[] = rows.map((r) => ({
    businessId: BigInt(r.business_id as bigint),
    chatId: BigInt(r.chat_id as bigint),
    orderId: big(r.order_id),
    returnId: big(r.return_id),
    openedAt: String(r.opened_at),
    openedMs: Date.parse(String(r.opened_at)),
    closeMessageId: big(r.close_message_id),
    closedAt: r.closed_at === null ? null : String(r.closed_at),
    closedMs: r.closed_at === null ? null : Date.parse(String(r.closed_at)),
    first: Number(r.first_wait) === 1,
  }));
  alive.sort((a, b) => a.openedMs - b.openedMs || (a.chatId < b.chatId ? -1 : a.chatId > b.chatId ? 1 : 0));

  const targetSeconds = options.targetMinutes * 60;
  const seconds = (w: Alive) =>
    Math.floor(
      (options.countedMs ? options.countedMs(w.openedMs, w.closedMs!) : w.closedMs! - w.openedMs) / 1000,
    );
  const answered = alive.filter((w) => w.closedMs !== null && w.closedMs >= fromMs && w.closedMs < toMs);
  const openAt = (t: number) =>
    alive.filter((w) => w.openedMs < t && (w.closedMs === null || w.closedMs >= t)).length;
  const agents = await creditOf(answered, options.credit);

  const waits: ReportWait[] = [];
  const byAgent = new Map<string, number[]>();
  const responded = new Map<Alive, number>();
  for (const w of answered) {
    const s = seconds(w);
    responded.set(w, s);
    const agent = agents.get(w) ?? OUTSIDE_AGENT;
    const list = byAgent.get(agent);
    if (list) list.push(s);
    else byAgent.set(agent, [s]);
  }
  for (const w of alive) {
    const s = responded.get(w);
    const openAtTo = w.closedMs === null || w.closedMs >= toMs;
    if (s === undefined && !openAtTo) continue;
    waits.push({
      businessId: w.businessId,
      chatId: w.chatId,
      orderId: w.orderId,
      returnId: w.returnId,
      openedAt: w.openedAt,
      closedAt: s === undefined ? null : w.closedAt,
      responseSeconds: s ?? null,
      agent: s === undefined ? null : (agents.get(w) ?? OUTSIDE_AGENT),
      withinTarget: s === undefined ? null : s <= targetSeconds,
      first: w.first,
    });
  }

  const all = [...responded.values()].sort(ascending);
  const firsts = answered
    .filter((w) => w.first)
    .map((w) => responded.get(w)!)
    .sort(ascending);
  const perAgent = [...byAgent.entries()]
    .map(([agent, list]) => {
      const sorted = list.sort(ascending);
      return {
        agent,
        answered: sorted.length,
        medianResponseSeconds: percentile(sorted, 0.5),
        slaMetShare: metShare(sorted, targetSeconds),
      };
    })
    .sort((a, b) => b.answered - a.answered || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));

  const perDay: DayFigures[] = [];
  const lastDay = days.dayOf(toMs - 1);
  for (let day = days.dayOf(fromMs); day <= lastDay; day = nextDay(day)) {
    const start = Math.max(fromMs, days.dayStart(day));
    const end = Math.min(toMs, days.dayStart(nextDay(day)));
    const list = answered
      .filter((w) => w.closedMs! >= start && w.closedMs! < end)
      .map((w) => responded.get(w)!)
      .sort(ascending);
    perDay.push({
      day,
      answered: list.length,
      open: openAt(end),
      medianResponseSeconds: percentile(list, 0.5),
      p90ResponseSeconds: percentile(list, 0.9),
      slaMetShare: metShare(list, targetSeconds),
    });
  }

  return {
    summary: {
      from,
      to,
      targetMinutes: options.targetMinutes,
      answered: all.length,
      open: openAt(toMs),
      medianResponseSeconds: percentile(all, 0.5),
      p90ResponseSeconds: percentile(all, 0.9),
      slaMetShare: metShare(all, targetSeconds),
      firstResponse: {
        count: firsts.length,
        medianSeconds: percentile(firsts, 0.5),
        p90Seconds: percentile(firsts, 0.9),
      },
      perAgent,
      perDay,
    },
    waits,
  };
}

/** The agent of each answered wait the credit function knows, asked once per business. */
async function creditOf(answered: Alive[], credit: AgentCredit | undefined): Promise<Map<Alive, string>> {
  const out = new Map<Alive, string>();
  if (credit === undefined) return out;
  const byBusiness = new Map<bigint, Alive[]>();
  for (const w of answered) {
    const list = byBusiness.get(w.businessId);
    if (list) list.push(w);
    else byBusiness.set(w.businessId, [w]);
  }
  for (const [businessId, list] of byBusiness) {
    const logins = await credit(
      businessId,
      list.map((w) => ({ chatId: w.chatId, messageId: w.closeMessageId! })),
    );
    for (const w of list) {
      const login = logins.get(w.closeMessageId!);
      if (login !== undefined) out.set(w, login);
    }
  }
  return out;
}

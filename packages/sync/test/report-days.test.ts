/**
 * `report()`'s per-day rows follow the days it is given (the business hours' zone comes from the caller,
 * the inbox's `reportHours`), and are UTC days without: the store keeps no zone arithmetic of its own.
 * Waits answered on either side of a day boundary that differs between UTC and a UTC+5 caller land in
 * different rows depending on the days given. SQLite and PostgreSQL.
 */
import type { ChatMessage } from '@ym-chats/sdk';
import { type ReportOptions, report } from '@ym-chats/sync';
import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

const B = 5151n;
const HOUR = 3_600_000;

/** A fixed UTC+5 clock, written out here rather than through any zone code. */
const plusFive: NonNullable<ReportOptions['days']> = {
  dayOf: (ms) => new Date(ms + 5 * HOUR).toISOString().slice(0, 10),
  dayStart: (day) => Date.parse(`${day}T00:00:00.000Z`) - 5 * HOUR,
};

const message = (id: number, sender: string, at: string): ChatMessage => ({
  messageId: id,
  sender,
  createdAt: at,
  message: `m${id}`,
});

describeEngines('report: the days it is given', (engine) => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await engine.open();
    // Chat 1: answered at 2026-11-20T19:10Z (UTC: the 20th; UTC+5: the 21st, 00:10).
    // Chat 2: answered at 2026-11-20T17:50Z (the 20th in both; 22:50 at UTC+5).
    // Chat 3: asked at 2026-11-21T20:00Z and never answered (the backlog from then on).
    const chats: [bigint, ChatMessage[]][] = [
      [
        1n,
        [
          message(11, 'CUSTOMER', '2026-11-20T19:00:00.000+00:00'),
          message(12, 'PARTNER', '2026-11-20T19:10:00.000+00:00'),
        ],
      ],
      [
        2n,
        [
          message(21, 'CUSTOMER', '2026-11-20T17:40:00.000+00:00'),
          message(22, 'PARTNER', '2026-11-20T17:50:00.000+00:00'),
        ],
      ],
      [3n, [message(31, 'CUSTOMER', '2026-11-21T20:00:00.000+00:00')]],
    ];
    await opened.store.writeHistoryPages(
      chats.map(([chatId, messages]) => ({
        businessId: B,
        chatId,
        runId: null,
        messages,
        completedAt: null,
        now: '2026-11-22T00:00:00.000Z',
      })),
    );
  });
  afterAll(async () => {
    await opened.dispose();
  });

  const options = {
    from: '2026-11-19T19:00:00Z',
    to: '2026-11-22T19:00:00Z',
    targetMinutes: 15,
    businessId: B,
  };
  const rows = (r: Awaited<ReturnType<typeof report>>) =>
    r.summary.perDay.map((d) => [d.day, d.answered, d.open]);

  it('counts UTC days without days given', async () => {
    const r = await report(opened.store, options);
    expect(rows(r)).toEqual([
      ['2026-11-19', 0, 0],
      ['2026-11-20', 2, 0],
      ['2026-11-21', 0, 1],
      ['2026-11-22', 0, 1],
    ]);
  });

  it('counts the caller’s days when given', async () => {
    const r = await report(opened.store, { ...options, days: plusFive });
    // 19:00Z is midnight at UTC+5: the period is exactly the 20th, 21st and 22nd there. Chat 3's wait
    // opened at 01:00 on the 22nd (UTC+5), so the 21st ends with nobody waiting.
    expect(rows(r)).toEqual([
      ['2026-11-20', 1, 0],
      ['2026-11-21', 1, 0],
      ['2026-11-22', 0, 1],
    ]);
    expect(r.summary.answered).toBe(2);
  });
});

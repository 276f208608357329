/**
 * The report route with business hours configured: a date alone in `from`/`to` is midnight in the hours'
 * zone (not UTC), `days=N` counts the zone's calendar days, and the per-day rows are the zone's days. The
 * real emulator and a store synced by a real pass; the loopback user (no agents) asks over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { BUSINESS, type Harness, startHarness } from './support/inbox-server.js';

interface Answer {
  from: string;
  to: string;
  timeZone: string;
  businessHours: boolean;
  perDay: { day: string }[];
}

describe('the report route in business hours', () => {
  let h: Harness;
  let page: PageClient;
  beforeAll(async () => {
    h = await startHarness({
      seed: 5,
      inbox: {
        businessHours: { timeZone: 'Europe/Moscow', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' },
      },
    });
    page = new PageClient(h.url);
    await page.start();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const ask = async (query: string) => {
    const res = await page.json<Answer>('GET', `/api/businesses/${BUSINESS}/report?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('reads a date alone as midnight in the zone and counts the zone’s days', async () => {
    const r = await ask('from=2026-12-01&to=2026-12-03');
    expect(r).toMatchObject({
      from: '2026-11-30T21:00:00.000Z',
      to: '2026-12-02T21:00:00.000Z',
      timeZone: 'Europe/Moscow',
      businessHours: true,
    });
    expect(r.perDay.map((d) => d.day)).toEqual(['2026-12-01', '2026-12-02']);
  });

  it('starts days=N at midnight in the zone, N calendar days back, today included', async () => {
    const r = await ask('days=7');
    expect(r.perDay).toHaveLength(7);
    // Midnight in Moscow (UTC+3, no daylight saving) is 21:00 UTC the evening before.
    expect(r.from).toMatch(/T21:00:00\.000Z$/);
    const today = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(0, 10);
    expect(r.perDay.at(-1)!.day).toBe(today);
  });

  it('answers a bad date with a 400 naming it', async () => {
    const res = await page.json<{ error: { message: string } }>(
      'GET',
      `/api/businesses/${BUSINESS}/report?to=12/01/2026`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^to "12\/01\/2026" is not a date \(YYYY-MM-DD/);
  });
});

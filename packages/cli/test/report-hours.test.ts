/**
 * `ym-chats report --business-hours` against a separate, simple count: each wait's response time inside
 * Moscow business hours (Mon–Fri 09:00–18:00) computed here minute by minute from the emulator's own
 * messages, with Moscow's fixed UTC+3 written out (no zone code shared with the inbox), must equal every
 * CSV row's and the JSON summary's. And a date alone in --from/--to is midnight in the hours' zone. The built
 * binary over a store the built `sync` filled from the real emulator (SQLite: the arithmetic is the
 * engine's neither).
 */
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { describeEngines, type OpenedStore, type TestEmulator as SyncEmulator } from '@ym-chats/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_KEY, BUSINESS, cleanEnv, requireBuilt, run } from './helpers.js';

const HOURS = 'Europe/Moscow,1-5,09:00-18:00';
const MSK = 3 * 3_600_000;
const MINUTE = 60_000;

interface Msg {
  chat: number;
  id: number;
  sender: string;
  at: number;
}

function emulatorMessages(emu: SyncEmulator): Msg[] {
  const rows = emu.emulator.store.db
    .prepare('SELECT chat_id, message_id, sender, created_at FROM messages WHERE business_id = ?')
    .all(BUSINESS) as { chat_id: number; message_id: number; sender: string; created_at: number }[];
  return rows.map((r) => ({
    chat: Number(r.chat_id),
    id: Number(r.message_id),
    sender: r.sender,
    at: Math.floor(Number(r.created_at) / 1000) * 1000,
  }));
}

/** Answered waits by issue 23's definitions: chat, opened, closed, first. */
function answeredWaits(messages: Msg[]) {
  const byChat = new Map<number, Msg[]>();
  for (const m of messages) byChat.set(m.chat, [...(byChat.get(m.chat) ?? []), m]);
  const waits: { chat: number; opened: number; closed: number; first: boolean }[] = [];
  for (const [chat, list] of byChat) {
    const talk = list
      .filter((m) => m.sender === 'CUSTOMER' || m.sender === 'PARTNER')
      .sort((a, b) => a.at - b.at || a.id - b.id);
    let first = true;
    talk.forEach((m, i) => {
      if (m.sender !== 'CUSTOMER' || (i > 0 && talk[i - 1]!.sender === 'CUSTOMER')) return;
      const answer = talk.slice(i + 1).find((n) => n.sender === 'PARTNER');
      if (answer) waits.push({ chat, opened: m.at, closed: answer.at, first });
      first = false;
    });
  }
  return waits;
}

/** Whether the minute starting at `ms` is inside Mon–Fri 09:00–18:00 on Moscow's clock (UTC+3). */
function inHours(ms: number): boolean {
  const local = new Date(ms + MSK);
  const weekday = local.getUTCDay();
  const minuteOfDay = local.getUTCHours() * 60 + local.getUTCMinutes();
  return weekday >= 1 && weekday <= 5 && minuteOfDay >= 9 * 60 && minuteOfDay < 18 * 60;
}

/** Whole seconds of [opened, closed) inside the hours, stepping minute by minute. */
function secondsInHours(opened: number, closed: number): number {
  let ms = 0;
  for (let minute = Math.floor(opened / MINUTE) * MINUTE; minute < closed; minute += MINUTE) {
    if (!inHours(minute)) continue;
    ms += Math.min(closed, minute + MINUTE) - Math.max(opened, minute);
  }
  return Math.floor(ms / 1000);
}

const rank = (sorted: number[], p: number) =>
  sorted.length === 0 ? null : sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;

describeEngines(
  'ym-chats report --business-hours',
  (engine) => {
    let truth: SyncEmulator;
    let opened: OpenedStore;
    let storeFlags: string[];
    const env = () => cleanEnv({ YM_API_KEY: API_KEY });
    beforeAll(async () => {
      requireBuilt();
      const emulator = createEmulator({
        seed: 1,
        credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }],
      });
      const url = await emulator.listen(0);
      truth = { emulator, url, admin: new AdminClient(url), close: () => emulator.close() };
      opened = await engine.open();
      storeFlags = ['--store', opened.target, ...(opened.schema ? ['--schema', opened.schema] : [])];
      const synced = await run(
        ['sync', '--once', ...storeFlags, '--base-url', url, '--business-id', String(BUSINESS)],
        { env: env() },
      );
      expect(synced.code, synced.stderr).toBe(0);
    }, 180_000);
    afterAll(async () => {
      await opened?.dispose();
      await truth?.close();
    });

    const report = (args: string[]) => run(['report', ...storeFlags, ...args], { env: env() });

    it('counts the same seconds inside business hours as minute-by-minute stepping', async () => {
      const period = ['--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z'];
      const waits = answeredWaits(emulatorMessages(truth));
      const want = new Map(waits.map((w) => [`${w.chat}@${w.opened}`, secondsInHours(w.opened, w.closed)]));
      // Not vacuous: some waits lose time outside the hours, some keep all of it.
      expect(
        waits.filter((w) => want.get(`${w.chat}@${w.opened}`)! * 1000 < w.closed - w.opened).length,
      ).toBeGreaterThan(5);
      expect([...want.values()].filter((s) => s > 0).length).toBeGreaterThan(5);

      const csv = await report([...period, '--business-hours', HOURS, '--csv']);
      expect(csv.code, csv.stderr).toBe(0);
      const [header, ...lines] = csv.stdout.trim().split('\n');
      const cols = header!.split(',');
      const got = new Map<string, number>();
      for (const line of lines) {
        const cells = line.split(',');
        const closed = cells[cols.indexOf('closed_at')]!;
        if (closed === '') continue;
        const key = `${cells[cols.indexOf('chat_id')]}@${Date.parse(cells[cols.indexOf('opened_at')]!)}`;
        got.set(key, Number(cells[cols.indexOf('response_seconds')]));
      }
      expect(got).toEqual(want);

      const json = await report([...period, '--business-hours', HOURS, '--target', '15', '--json']);
      expect(json.code, json.stderr).toBe(0);
      const all = [...want.values()].sort((a, b) => a - b);
      const firsts = waits
        .filter((w) => w.first)
        .map((w) => want.get(`${w.chat}@${w.opened}`)!)
        .sort((a, b) => a - b);
      expect(JSON.parse(json.stdout)).toMatchObject({
        answered: all.length,
        medianResponseSeconds: rank(all, 0.5),
        p90ResponseSeconds: rank(all, 0.9),
        slaMetShare: all.filter((s) => s <= 15 * 60).length / all.length,
        firstResponse: {
          count: firsts.length,
          medianSeconds: rank(firsts, 0.5),
          p90Seconds: rank(firsts, 0.9),
        },
      });
    }, 180_000);

    it('reads a date alone as midnight in the business hours’ zone, else UTC', async () => {
      const period = ['--from', '2026-12-01', '--to', '2026-12-03', '--json'];
      const zoned = await report([...period, '--business-hours', HOURS]);
      expect(zoned.code, zoned.stderr).toBe(0);
      const inZone = JSON.parse(zoned.stdout) as { from: string; to: string; perDay: { day: string }[] };
      expect([inZone.from, inZone.to]).toEqual(['2026-11-30T21:00:00.000Z', '2026-12-02T21:00:00.000Z']);
      expect(inZone.perDay.map((d) => d.day)).toEqual(['2026-12-01', '2026-12-02']);
      const utc = await report(period);
      expect(utc.code, utc.stderr).toBe(0);
      const inUtc = JSON.parse(utc.stdout) as { from: string; to: string };
      expect([inUtc.from, inUtc.to]).toEqual(['2026-12-01T00:00:00.000Z', '2026-12-03T00:00:00.000Z']);
    }, 180_000);
  },
  'sqlite',
);

/**
 * `ym-chats report` as users run it: the built binary over a store the built `sync` filled from the real
 * emulator's seeded data, on SQLite and PostgreSQL. Its figures must equal issue 23's definitions computed
 * here straight from the emulator's own messages — for all time and for a window whose both ends cut waits
 * in two — and bad input must be refused with the flag and the fix named.
 */
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { describeEngines, type OpenedStore, type TestEmulator as SyncEmulator } from '@ym-chats/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_KEY, BUSINESS, cleanEnv, requireBuilt, run } from './helpers.js';

interface Msg {
  chat: number;
  id: number;
  sender: string;
  at: number;
}

interface ExpectedWait {
  chat: number;
  opened: number;
  closed: number | null;
  first: boolean;
}

/** The emulator's messages as the API shows them (times in whole seconds). */
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

/** Issue 23's waits: per chat in (time, id) order, a CUSTOMER message after a PARTNER one (or first among the two) opens, the next PARTNER closes. */
function expectedWaits(messages: Msg[]): ExpectedWait[] {
  const byChat = new Map<number, Msg[]>();
  for (const m of messages) byChat.set(m.chat, [...(byChat.get(m.chat) ?? []), m]);
  const waits: ExpectedWait[] = [];
  for (const [chat, list] of byChat) {
    const talk = list
      .filter((m) => m.sender === 'CUSTOMER' || m.sender === 'PARTNER')
      .sort((a, b) => a.at - b.at || a.id - b.id);
    let first = true;
    talk.forEach((m, i) => {
      if (m.sender !== 'CUSTOMER' || (i > 0 && talk[i - 1]!.sender === 'CUSTOMER')) return;
      const answer = talk.slice(i + 1).find((n) => n.sender === 'PARTNER');
      waits.push({ chat, opened: m.at, closed: answer?.at ?? null, first });
      first = false;
    });
  }
  return waits;
}

const rank = (sorted: number[], p: number) =>
  sorted.length === 0 ? null : sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;

function expectedFigures(waits: ExpectedWait[], from: number, to: number, targetMinutes: number) {
  const answered = waits.filter((w) => w.closed !== null && w.closed >= from && w.closed < to);
  const seconds = (ws: ExpectedWait[]) =>
    ws.map((w) => Math.floor((w.closed! - w.opened) / 1000)).sort((a, b) => a - b);
  const all = seconds(answered);
  const firsts = seconds(answered.filter((w) => w.first));
  return {
    answered: answered.length,
    open: waits.filter((w) => w.opened < to && (w.closed === null || w.closed >= to)).length,
    medianResponseSeconds: rank(all, 0.5),
    p90ResponseSeconds: rank(all, 0.9),
    slaMetShare: all.length === 0 ? null : all.filter((s) => s <= targetMinutes * 60).length / all.length,
    firstResponse: { count: firsts.length, medianSeconds: rank(firsts, 0.5), p90Seconds: rank(firsts, 0.9) },
  };
}

describeEngines('ym-chats report', (engine) => {
  let truth: SyncEmulator;
  let opened: OpenedStore;
  let storeFlags: string[];
  const env = () => cleanEnv({ YM_API_KEY: API_KEY });
  beforeAll(async () => {
    requireBuilt();
    const emulator = createEmulator({ seed: 1, credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }] });
    const url = await emulator.listen(0);
    truth = { emulator, url, admin: new AdminClient(url), close: () => emulator.close() };
    opened = await engine.open();
    storeFlags = ['--store', opened.target, ...(opened.schema ? ['--schema', opened.schema] : [])];
    const synced = await run(
      ['sync', '--once', ...storeFlags, '--base-url', url, '--business-id', String(BUSINESS)],
      { env: env() },
    );
    expect(synced.code).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await opened?.dispose();
    await truth?.close();
  });

  async function reportJson(args: string[]) {
    const r = await run(['report', '--json', ...storeFlags, ...args], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown> & {
      perAgent: { agent: string; answered: number }[];
      perDay: { day: string; answered: number; open: number }[];
    };
  }

  it('equals the definitions over all time', async () => {
    const waits = expectedWaits(emulatorMessages(truth));
    const from = Date.parse('2000-01-01T00:00:00Z');
    const to = Date.parse('2100-01-01T00:00:00Z');
    const got = await reportJson(['--from', '2000-01-01', '--to', '2100-01-01', '--target', '15']);
    const want = expectedFigures(waits, from, to, 15);
    expect(want.answered).toBeGreaterThan(50);
    expect(want.open).toBeGreaterThan(0);
    expect(want.firstResponse.count).toBeGreaterThan(10);
    expect(want.slaMetShare).toBeGreaterThan(0);
    expect(want.slaMetShare).toBeLessThan(1);
    expect(got).toMatchObject({
      ...want,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
    });
    // Seeded replies were none of them sent from the inbox.
    expect(got.perAgent).toEqual([
      expect.objectContaining({ agent: 'outside', answered: want.answered, slaMetShare: want.slaMetShare }),
    ]);
  }, 180_000);

  it('equals the definitions for a window that cuts waits in two at both ends', async () => {
    const waits = expectedWaits(emulatorMessages(truth));
    const long = waits
      .filter((w) => w.closed !== null && w.closed - w.opened >= 4000)
      .sort((a, b) => a.opened - b.opened);
    const a = long[Math.floor(long.length / 4)]!;
    const b = long[Math.floor((long.length * 3) / 4)]!;
    const from = Math.floor((a.opened + a.closed!) / 2000) * 1000;
    const to = Math.floor((b.opened + b.closed!) / 2000) * 1000;
    // Both ends inside a wait: one opened before the window and answered in it, one open at its end.
    expect(waits.some((w) => w.opened < from && w.closed! >= from && w.closed! < to)).toBe(true);
    expect(waits.some((w) => w.opened < to && w.closed !== null && w.closed >= to)).toBe(true);
    const got = await reportJson([
      '--from',
      new Date(from).toISOString(),
      '--to',
      new Date(to).toISOString(),
      '--target',
      '5',
    ]);
    const want = expectedFigures(waits, from, to, 5);
    expect(want.answered).toBeGreaterThan(5);
    expect(got).toMatchObject(want);
    // The days add up to the period, and the last day's backlog is the period's.
    expect(got.perDay.reduce((n, d) => n + d.answered, 0)).toBe(want.answered);
    expect(got.perDay.at(-1)!.open).toBe(want.open);
  }, 180_000);

  it('writes one CSV row per wait answered in the period or open at its end', async () => {
    const r = await run(['report', '--csv', ...storeFlags, '--from', '2000-01-01', '--to', '2100-01-01'], {
      env: env(),
    });
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header).toBe(
      'business_id,chat_id,order_id,return_id,opened_at,closed_at,response_seconds,agent,within_target,first_wait',
    );
    const waits = expectedWaits(emulatorMessages(truth));
    expect(rows).toHaveLength(waits.length);
    expect(rows.filter((row) => row.split(',')[5] === '')).toHaveLength(
      waits.filter((w) => w.closed === null).length,
    );
  }, 180_000);

  it('refuses bad input naming the flag and the fix', async () => {
    const bad = async (args: string[]) => {
      const r = await run(['report', ...storeFlags, ...args], { env: env() });
      expect(r.code).toBe(2);
      return r.stderr;
    };
    expect(await bad(['--from', 'yesterday'])).toMatch(
      /--from "yesterday" is not a date \(YYYY-MM-DD[\s\S]*2026-11-01/,
    );
    expect(await bad(['--from', '2026-11-02', '--to', '2026-11-01'])).toMatch(
      /--from .* must be before --to/,
    );
    expect(await bad(['--target', '0'])).toMatch(/--target must be from 1/);
    expect(await bad(['--business-hours', 'Mars/Base,1-5,09:00-18:00'])).toMatch(
      /--business-hours: "Mars\/Base" is not a time zone[\s\S]*Europe\/Moscow,1-5,09:00-18:00/,
    );
    expect(await bad(['--business', 'shop'])).toMatch(/--business must be a positive integer/);
    expect(await bad(['--csv', '--json'])).toMatch(/--json and --csv exclude each other/);
  }, 180_000);
});

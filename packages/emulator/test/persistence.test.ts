import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIZ, call, history, orderChat, start } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ym-emulator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--db persistence', () => {
  it('keeps chats, messages and files across a close and reopen', async () => {
    const db = join(dir, 'state.sqlite');
    const first = await start({ db });
    const { chatId } = await orderChat(first);
    await call(first.url, 'sendMessageToChat', { query: { chatId }, json: { message: 'переживу рестарт' } });
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('persisted bytes')]), 'p.txt');
    await call(first.url, 'sendFileToChat', { query: { chatId }, body: form });
    const before = await history(first.url, chatId);
    const stateBefore = await first.admin.state(true);
    await first.emu.close();

    const second = await start({ db });
    try {
      const stateAfter = await second.admin.state(true);
      expect(stateAfter.data).toEqual(stateBefore.data);
      const after = await history(second.url, chatId);
      expect(after.map((m) => [m.messageId, m.message, m.payload?.[0]?.size])).toEqual(
        before.map((m) => [m.messageId, m.message, m.payload?.[0]?.size]),
      );
      const url = after[1].payload[0].url as string;
      expect(url.startsWith(second.url)).toBe(true);
      const download = await fetch(url, { headers: { 'Api-Key': 'emulator-api-key' } });
      expect(await download.text()).toBe('persisted bytes');
      // New ids continue after the stored ones.
      const next = await orderChat(second);
      expect(next.chatId).toBeGreaterThan(chatId);
    } finally {
      await second.emu.close();
    }
  });

  it('does not seed again into a business that already has chats', async () => {
    const db = join(dir, 'seeded.sqlite');
    const a = await start({ db, seed: 5 });
    const chats = (await a.admin.state()).totals.chats;
    expect(chats).toBeGreaterThan(0);
    await a.emu.close();
    const b = await start({ db, seed: 5 });
    expect((await b.admin.state()).totals.chats).toBe(chats);
    await b.emu.close();
  });
});

describe('seeding', () => {
  it('is deterministic for a seed value and differs between values', async () => {
    // Seeded times are placed back from the emulator's clock, so the clock is fixed here.
    const dump = async (seed: number) => {
      const r = await start({ seed, now: () => Date.UTC(2027, 0, 1) });
      try {
        return (await r.admin.state(true)).data;
      } finally {
        await r.emu.close();
      }
    };
    const a = await dump(42);
    expect(await dump(42)).toEqual(a);
    expect(await dump(43)).not.toEqual(a);
  });

  it('is realistic: order, return and direct chats, disputes, finished chats, two languages, attachments', async () => {
    const r = await start({ seed: 2 });
    try {
      const chats: { chatId: number; context: { type: string }; type: string; status: string }[] = [];
      let token: string | undefined;
      do {
        const res = await call(r.url, 'getChats', {
          query: { limit: 20, ...(token ? { pageToken: token } : {}) },
        });
        chats.push(...res.body.result.chats);
        token = res.body.result.paging?.nextPageToken;
      } while (token);
      expect(chats.length).toBeGreaterThanOrEqual(50);
      expect(new Set(chats.map((c) => c.context.type))).toEqual(new Set(['ORDER', 'RETURN', 'DIRECT']));
      expect(chats.some((c) => c.type === 'ARBITRAGE')).toBe(true);
      expect(chats.some((c) => c.status === 'FINISHED')).toBe(true);
      const texts: string[] = [];
      let payloads = 0;
      for (const c of chats.slice(0, 25)) {
        const messages = await history(r.url, c.chatId);
        expect(messages.length).toBeGreaterThanOrEqual(3);
        for (const m of messages) {
          if (m.message) texts.push(m.message);
          if (m.payload) payloads++;
        }
      }
      expect(texts.some((t) => /[а-яё]/i.test(t))).toBe(true);
      expect(texts.some((t) => /^[A-Za-z]/.test(t))).toBe(true);
      expect(payloads).toBeGreaterThan(0);
      // The admin seed call adds another business's data on demand.
      const summary = await r.admin.seed({ seed: 9, chats: 5, businessId: BIZ + 1 });
      expect(summary.chats).toBe(5);
    } finally {
      await r.emu.close();
    }
  });
});

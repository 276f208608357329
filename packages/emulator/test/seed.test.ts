/**
 * The demo data sits next to the emulator's clock: waiting buyers have waited minutes (some past a
 * 15-minute target, a few for hours), nothing is dated after "now", and the same seed and clock give the
 * same data — the same ids and texts whatever the clock.
 */
import { createEmulator } from '@ym-chats/emulator';
import { describe, expect, it } from 'vitest';

interface Dump {
  chats: Array<{ chat_id: number; status: string; created_at: number; updated_at: number }>;
  messages: Array<{
    message_id: number;
    chat_id: number;
    sender: string;
    text: string | null;
    created_at: number;
  }>;
  orders: Array<{ order_id: number; created_at: number }>;
}

const MINUTE = 60_000;

function seeded(seed: number, now: number): Dump {
  const emu = createEmulator({ seed, now: () => now });
  try {
    return emu.store.dump() as unknown as Dump;
  } finally {
    void emu.close();
  }
}

/** Minutes each waiting chat's buyer has waited (as the inbox counts it). */
function waits(d: Dump, now: number): number[] {
  return d.chats
    .filter((c) => c.status === 'WAITING_FOR_PARTNER')
    .map((c) => {
      const messages = d.messages.filter((m) => m.chat_id === c.chat_id);
      const lastPartner = messages.findLastIndex((m) => m.sender === 'PARTNER');
      // Without a buyer message since (the market wrote last), the inbox counts from the last message.
      const first =
        messages.find((m, i) => i > lastPartner && m.sender === 'CUSTOMER') ?? messages[messages.length - 1]!;
      return (now - first.created_at) / MINUTE;
    });
}

describe('the seed', () => {
  const now = Date.UTC(2027, 2, 14, 9, 30, 0);

  it('dates everything before the clock, with realistic waits for the waiting buyers', () => {
    for (const seed of [1, 7, 11]) {
      const d = seeded(seed, now);
      for (const m of d.messages) expect(m.created_at).toBeLessThanOrEqual(now);
      for (const c of d.chats) expect(c.created_at).toBeLessThanOrEqual(now);
      for (const o of d.orders) expect(o.created_at).toBeLessThanOrEqual(now);
      const w = waits(d, now);
      expect(w.length).toBeGreaterThan(3);
      expect(Math.min(...w)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...w)).toBeLessThanOrEqual(4 * 60);
      const over = w.filter((m) => m > 15).length;
      expect(over).toBeGreaterThan(0);
      expect(over).toBeLessThan(w.length);
      // Something happened in the last few hours in every demo.
      expect(Math.max(...d.messages.map((m) => m.created_at))).toBeGreaterThan(now - 4 * 60 * MINUTE);
    }
  });

  it('is the same for the same seed and clock, and keeps ids and texts when only the clock differs', () => {
    const a = seeded(42, now);
    expect(seeded(42, now)).toEqual(a);
    const later = seeded(42, now + 86_400_000);
    const shape = (d: Dump) => d.messages.map((m) => [m.message_id, m.chat_id, m.sender, m.text]);
    expect(shape(later)).toEqual(shape(a));
    expect(later.messages.map((m) => m.created_at)).toEqual(a.messages.map((m) => m.created_at + 86_400_000));
    expect(shape(seeded(43, now))).not.toEqual(shape(a));
  });
});

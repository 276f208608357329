/**
 * The demo data sits next to the emulator's clock: waiting buyers have waited minutes (some past a
 * 15-minute target, a few for hours), nothing is dated after "now", and the same seed and clock give the
 * same data — the same ids and texts whatever the clock.
 */
import { crc32, inflateSync } from 'node:zlib';
import { createEmulator, DEFAULT_CREDENTIALS } from '@ym-chats/emulator';
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

/** The chunks of a PNG file, each checked against its CRC (a broken one throws). */
function pngChunks(data: Buffer): Array<{ type: string; data: Buffer }> {
  expect(data.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: Array<{ type: string; data: Buffer }> = [];
  for (let at = 8; at < data.length; ) {
    const length = data.readUInt32BE(at);
    const body = data.subarray(at + 4, at + 8 + length);
    if (crc32(body) !== data.readUInt32BE(at + 8 + length)) throw new Error(`bad CRC at ${at}`);
    chunks.push({ type: body.subarray(0, 4).toString('ascii'), data: body.subarray(4) });
    at += 12 + length;
  }
  return chunks;
}

describe('seeded photos', () => {
  it('are whole PNG pictures: every chunk checks, the pixels inflate to the size the header gives', async () => {
    const emu = createEmulator({ seed: 7 });
    try {
      const url = await emu.listen();
      const files = emu.store.dump().files as Array<{ file_id: number; name: string; content_type: string }>;
      const photos = files.filter((f) => f.content_type.startsWith('image/'));
      expect(photos.length).toBeGreaterThan(3);
      for (const photo of photos.slice(0, 5)) {
        expect(photo.name).toMatch(/\.png$/);
        const res = await fetch(`${url}/_emulator/files/${photo.file_id}/${encodeURIComponent(photo.name)}`, {
          headers: { 'Api-Key': DEFAULT_CREDENTIALS[0]!.apiKey! },
        });
        expect(res.headers.get('content-type')).toBe('image/png');
        const chunks = pngChunks(Buffer.from(await res.arrayBuffer()));
        expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
        const width = chunks[0]!.data.readUInt32BE(0);
        const height = chunks[0]!.data.readUInt32BE(4);
        expect(inflateSync(chunks[1]!.data).length).toBe(height * (1 + width * 3));
      }
    } finally {
      await emu.close();
    }
  });
});

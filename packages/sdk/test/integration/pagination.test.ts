import { describe, expect, it } from 'vitest';
import { BUSINESS, startEmulator } from './emulator.js';

describe('history pagination over thousands of messages with concurrent inserts', () => {
  it('skips and repeats nothing', async () => {
    const env = await startEmulator({ quotas: { enabled: false } });
    try {
      const { chatId } = await env.newChat();
      const initial = (await env.messages(chatId)).length;
      const before = 2500;
      for (let i = 0; i < before; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            env.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: `m${i + j}` }),
          ),
        );
      }
      const seen: number[] = [];
      let inserted = 0;
      for await (const message of env.api.iterateChatHistory(BUSINESS, chatId, {}, { limit: 100 })) {
        seen.push(message.messageId);
        // Buyers keep writing while we read: every 100 messages read, 10 more arrive.
        if (seen.length % 100 === 0) {
          await Promise.all(
            Array.from({ length: 10 }, () =>
              env.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'late' }),
            ),
          );
          inserted += 10;
        }
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);
      const all = (await env.messages(chatId)).map((m) => m.messageId);
      expect(all).toHaveLength(initial + before + inserted);
      // What was read is exactly the oldest part of the final history: nothing skipped on the way.
      expect(seen).toEqual(all.slice(0, seen.length));
      // All messages that existed at the start, and the late ones inserted before the last page, were read.
      expect(seen.length).toBeGreaterThan(initial + before);
    } finally {
      await env.close();
    }
  }, 60_000);
});

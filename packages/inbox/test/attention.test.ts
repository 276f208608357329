import { describe, expect, it } from 'vitest';
import { newBuyerMessages } from '../client/attention.js';
import type { ChatView } from '../src/types.js';

const chat = (chatId: number, createdAt: string, text: string, sender = 'CUSTOMER'): ChatView =>
  ({ businessId: 1, chatId, lastMessage: { sender, text, createdAt } }) as ChatView;

describe('which buyer messages the page announces (chime, notification)', () => {
  it('a buyer who writes in the same second as the newest message seen is announced, once', () => {
    const arrived = newBuyerMessages();
    expect(arrived([chat(1, '2026-12-07T10:00:00+03:00', 'Есть кто-нибудь?')])).toEqual([]);
    const second = chat(2, '2026-12-07T10:00:00+03:00', 'Ответьте, пожалуйста');
    expect(arrived([second]).map((c) => c.chatId)).toEqual([2]);
    // The same message again (a live event repeated, the next queue read): nothing new.
    expect(arrived([second])).toEqual([]);
    expect(arrived([chat(1, '2026-12-07T10:00:00+03:00', 'Есть кто-нибудь?'), second])).toEqual([]);
  });

  it("older chats a filter brings in, and the seller's own messages, announce nothing", () => {
    const arrived = newBuyerMessages();
    expect(arrived([chat(1, '2026-12-07T10:00:05+03:00', 'a')])).toEqual([]);
    expect(arrived([chat(3, '2026-12-07T09:00:00+03:00', 'old')])).toEqual([]);
    expect(arrived([chat(4, '2026-12-07T10:00:09+03:00', 'ours', 'PARTNER')])).toEqual([]);
    expect(arrived([chat(5, '2026-12-07T10:00:07+03:00', 'between')])).toEqual([]);
    expect(arrived([chat(6, '2026-12-07T10:00:10+03:00', 'new')]).map((c) => c.chatId)).toEqual([6]);
  });

  it('the first read only sets the mark, even on an empty queue', () => {
    const arrived = newBuyerMessages();
    expect(arrived([])).toEqual([]);
    expect(arrived([chat(1, '2026-12-07T10:00:00+03:00', 'first')]).map((c) => c.chatId)).toEqual([1]);
  });
});

/**
 * Where the page puts a live row (client/queue-rows.ts): the server's order and filters, and the rule for
 * a row that belongs past the loaded page. Checked against the store's own queue order in
 * live-rows-browser.test.ts; here the edges, one by one.
 */
import { describe, expect, it } from 'vitest';
import type { ChatView } from '../client/api.js';
import { NO_FILTERS } from '../client/queue.js';
import { appendPage, placeRow, queueOrder } from '../client/queue-rows.js';

const chat = (chatId: number, at: string, waiting: boolean, more: Partial<ChatView> = {}): ChatView => ({
  businessId: 1,
  chatId,
  status: waiting ? 'WAITING_FOR_PARTNER' : 'WAITING_FOR_CUSTOMER',
  type: 'CHAT',
  context: { type: 'ORDER' },
  createdAt: at,
  updatedAt: at,
  ...(waiting ? { waitingSince: at } : {}),
  ...more,
});
const ids = (chats: ChatView[]) => chats.map((c) => c.chatId);
const place = { filters: NO_FILTERS, me: 'anna', more: false };

// Waiting: longest wait first; the rest: most recent first.
const loaded = [
  chat(1, '2026-12-01T10:00:00.000Z', true),
  chat(2, '2026-12-01T11:00:00.000Z', true),
  chat(3, '2026-12-01T12:00:00.000Z', false),
  chat(4, '2026-12-01T09:00:00.000Z', false),
];

describe('placing a live row', () => {
  it('orders waiting chats before the rest, by wait, then by recency, ties by id', () => {
    const tie = chat(0, '2026-12-01T10:00:00.000Z', true);
    expect(ids([...loaded, tie].sort(queueOrder))).toEqual([0, 1, 2, 3, 4]);
  });

  it('moves a chat the buyer wrote in from the rest into the waiting ones, at its wait', () => {
    const row = chat(4, '2026-12-01T10:30:00.000Z', true);
    expect(ids(placeRow(loaded, row, row, place))).toEqual([1, 4, 2, 3]);
  });

  it('moves a replied chat to the top of the rest', () => {
    const row = chat(1, '2026-12-01T13:00:00.000Z', false);
    expect(ids(placeRow(loaded, row, row, place))).toEqual([2, 1, 3, 4]);
  });

  it('inserts a chat not loaded yet, and drops one the store no longer has', () => {
    const row = chat(9, '2026-12-01T10:59:00.000Z', true);
    expect(ids(placeRow(loaded, row, row, place))).toEqual([1, 9, 2, 3, 4]);
    expect(ids(placeRow(loaded, { businessId: 1, chatId: 2 }, null, place))).toEqual([1, 3, 4]);
  });

  it('leaves out a row past the loaded page when more pages exist, appends it when none do', () => {
    const row = chat(9, '2026-12-01T08:00:00.000Z', false);
    expect(ids(placeRow(loaded, row, row, { ...place, more: true }))).toEqual([1, 2, 3, 4]);
    expect(ids(placeRow(loaded, row, row, place))).toEqual([1, 2, 3, 4, 9]);
    // The next page does not bring a chat a live row already placed twice.
    expect(ids(appendPage([row], [row, chat(10, '2026-12-01T07:00:00.000Z', false)]))).toEqual([9, 10]);
  });

  it('removes a row the filters no longer show: status, assignee, unassigned', () => {
    const replied = chat(1, '2026-12-01T13:00:00.000Z', false);
    const waitingOnly = { ...place, filters: { ...NO_FILTERS, status: 'WAITING_FOR_PARTNER' } };
    expect(ids(placeRow(loaded.slice(0, 2), replied, replied, waitingOnly))).toEqual([2]);
    const taken = { ...loaded[1]!, assignee: 'boris' };
    expect(
      ids(placeRow(loaded, taken, taken, { ...place, filters: { ...NO_FILTERS, assignee: '-' } })),
    ).toEqual([1, 3, 4]);
    expect(ids(placeRow([], taken, taken, { ...place, filters: { ...NO_FILTERS, assignee: 'me' } }))).toEqual(
      [],
    );
    const mine = { ...taken, assignee: 'anna' };
    expect(ids(placeRow([], mine, mine, { ...place, filters: { ...NO_FILTERS, assignee: 'me' } }))).toEqual([
      2,
    ]);
  });
});

/**
 * One chat's new row put in its place in the loaded queue, as a live event delivers it (issue 22, item 11):
 * the page moves that row rather than re-reading the queue. The order and the filters are the server's
 * (`GET /api/queue`): chats waiting for the seller first, longest wait first; then the rest, most recently
 * active first; ties by chat id.
 *
 * The rule for when the page re-reads instead: only when it has no row to place — a resync (the stream
 * dropped, or another process's notices may have been lost), or an event whose row the server could not
 * read. A row that belongs after the last loaded one while more pages exist is left out, not re-read: the
 * "More" cursor is a position in the order, so the next page brings it.
 */
import type { ChatView } from './api.js';
import type { Filters } from './queue.js';

const at = (chat: ChatView) => chat.waitingSince ?? chat.updatedAt;

/** Negative when `a` comes before `b` in the queue. */
export function queueOrder(a: ChatView, b: ChatView): number {
  const aWaits = a.waitingSince !== undefined;
  const bWaits = b.waitingSince !== undefined;
  if (aWaits !== bWaits) return aWaits ? -1 : 1;
  const sign = aWaits ? 1 : -1;
  const ta = Date.parse(at(a));
  const tb = Date.parse(at(b));
  // Times compared as instants; equal instants by their text (sub-millisecond digits), then by id.
  if (ta !== tb) return sign * (ta - tb);
  if (at(a) !== at(b)) return sign * (at(a) < at(b) ? -1 : 1);
  return sign * (a.chatId - b.chatId);
}

/** Whether the queue as filtered shows the chat (the server's filters, in the page). */
export function shows(chat: ChatView, filters: Filters, me: string): boolean {
  if (filters.status && chat.status !== filters.status) return false;
  if (filters.type && chat.type !== filters.type) return false;
  if (filters.context && chat.context.type !== filters.context) return false;
  if (filters.assignee === '-') return chat.assignee === undefined;
  if (filters.assignee === 'me') return chat.assignee === me;
  if (filters.assignee) return chat.assignee === filters.assignee;
  return true;
}

const same = (a: { businessId: number; chatId: number }, b: { businessId: number; chatId: number }) =>
  a.businessId === b.businessId && a.chatId === b.chatId;

/**
 * The loaded queue with the chat's row updated, inserted, moved or removed (`row` null: the store has no
 * such chat). `more`: pages exist after the loaded ones.
 */
export function placeRow(
  chats: ChatView[],
  key: { businessId: number; chatId: number },
  row: ChatView | null,
  place: { filters: Filters; me: string; more: boolean },
): ChatView[] {
  const rest = chats.filter((c) => !same(c, key));
  if (row === null || !shows(row, place.filters, place.me)) {
    return rest.length === chats.length ? chats : rest;
  }
  let index = rest.findIndex((c) => queueOrder(row, c) < 0);
  if (index === -1) {
    if (place.more) return rest.length === chats.length ? chats : rest;
    index = rest.length;
  }
  return [...rest.slice(0, index), row, ...rest.slice(index)];
}

/** A next page appended, without the chats a live row already placed above it. */
export function appendPage(chats: ChatView[], page: ChatView[]): ChatView[] {
  const have = new Set(chats.map((c) => `${c.businessId}:${c.chatId}`));
  return [...chats, ...page.filter((c) => !have.has(`${c.businessId}:${c.chatId}`))];
}

/**
 * Which chats have buyer messages this agent has not opened since they arrived. Kept in this browser's
 * localStorage per agent (no server state): the newest message time the agent had in front of them, per
 * chat. Another tab of the same agent reads the same record (the `storage` event), so opening a chat in
 * one tab clears its mark in the other.
 */
import type { ChatView } from './api.js';

/** Chat key → the newest message time (ms) the agent has seen in it. */
export type Seen = Record<string, number>;

/** Enough for a busy queue; the oldest entries go first beyond it. */
const MAX_ENTRIES = 2000;

const storageKey = (login: string) => `ymc.seen.${login}`;

export const seenKey = (chat: { businessId: number; chatId: number }) => `${chat.businessId}:${chat.chatId}`;

export function loadSeen(login: string): Seen {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey(login)) ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Seen) : {};
  } catch {
    return {};
  }
}

/** Records that the agent has seen `chat` up to `at`; returns the record (unchanged if nothing was newer). */
export function markSeen(
  login: string,
  seen: Seen,
  chat: { businessId: number; chatId: number },
  at: number,
): Seen {
  const key = seenKey(chat);
  if ((seen[key] ?? 0) >= at) return seen;
  let next: Seen = { ...seen, [key]: at };
  const keys = Object.keys(next);
  if (keys.length > MAX_ENTRIES) {
    const kept = keys.sort((a, b) => next[b]! - next[a]!).slice(0, MAX_ENTRIES);
    next = Object.fromEntries(kept.map((k) => [k, next[k]!]));
  }
  try {
    localStorage.setItem(storageKey(login), JSON.stringify(next));
  } catch {
    // private mode or full: the marks last this page only
  }
  return next;
}

/** A buyer wrote last, after the last time the agent had the chat open (or the agent never opened it). */
export function isUnread(chat: ChatView, seen: Seen): boolean {
  const last = chat.lastMessage;
  if (last?.sender !== 'CUSTOMER') return false;
  return Date.parse(last.createdAt) > (seen[seenKey(chat)] ?? 0);
}

export function onSeenElsewhere(login: string, then: (seen: Seen) => void): () => void {
  const listener = (e: StorageEvent) => {
    if (e.key === storageKey(login)) then(loadSeen(login));
  };
  window.addEventListener('storage', listener);
  return () => window.removeEventListener('storage', listener);
}

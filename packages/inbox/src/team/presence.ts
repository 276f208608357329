import { createHash } from 'node:crypto';
import type { LiveBus, Viewer } from '../live/bus.js';
import type { PresenceNote } from '../live/relay.js';

interface Entry {
  login: string;
  name: string;
  typing: boolean;
  expiresAt: number;
}

const TTL_MS = 30_000;

/** A page's key in presence: derived from its session, never the session id itself (notes travel through the database). */
export function pageKey(sessionId: string, page: string): string {
  return createHash('sha256').update(`${sessionId}:${page}`).digest('base64url').slice(0, 32);
}

const chatKey = (businessId: number, chatId: number) => `${businessId}:${chatId}`;

/**
 * Who has which chat open and who is typing, per page (a session may have several tabs, each its own
 * page key), in this process and — through `share` — in every process on the database. Pages refresh
 * their entry while open, and every refresh is shared, so another process's entries expire the same way
 * this one's do when their page (or their process) goes away.
 */
export class Presence {
  private readonly chats = new Map<string, Map<string, Entry>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly bus: LiveBus,
    private readonly share: (note: PresenceNote) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.expire(), 5_000);
    this.timer.unref();
  }

  /** The page `page` of this process shows this chat (and nothing else). */
  update(
    page: string,
    viewer: { login: string; name: string },
    chat: { businessId: number; chatId: number } | null,
    typing: boolean,
  ): void {
    const note: PresenceNote = { page, login: viewer.login, name: viewer.name, chat, typing };
    this.apply(note);
    this.share(note);
  }

  leave(page: string, viewer: { login: string; name: string }): void {
    this.update(page, viewer, null, false);
  }

  /** A note from this process or another: the page's entry moves to its chat (or goes). */
  apply(note: PresenceNote): void {
    const { page, chat } = note;
    const changed = new Set<string>();
    for (const [key, pages] of this.chats) {
      if (chat && key === chatKey(chat.businessId, chat.chatId)) continue;
      if (pages.delete(page)) changed.add(key);
    }
    if (chat) {
      const key = chatKey(chat.businessId, chat.chatId);
      const pages = this.chats.get(key) ?? new Map<string, Entry>();
      this.chats.set(key, pages);
      const before = pages.get(page);
      pages.set(page, {
        login: note.login,
        name: note.name,
        typing: note.typing,
        expiresAt: this.now() + TTL_MS,
      });
      if (!before || before.typing !== note.typing) changed.add(key);
    }
    for (const key of changed) this.announce(key);
  }

  viewers(businessId: number, chatId: number): Viewer[] {
    const pages = this.chats.get(chatKey(businessId, chatId));
    const byLogin = new Map<string, Viewer>();
    for (const entry of pages?.values() ?? []) {
      const seen = byLogin.get(entry.login);
      byLogin.set(entry.login, {
        login: entry.login,
        name: entry.name,
        typing: entry.typing || (seen?.typing ?? false),
      });
    }
    return [...byLogin.values()].sort((a, b) => a.login.localeCompare(b.login));
  }

  close(): void {
    clearInterval(this.timer);
  }

  private expire(): void {
    const now = this.now();
    for (const [key, pages] of this.chats) {
      let changed = false;
      for (const [page, entry] of pages) {
        if (entry.expiresAt <= now) {
          pages.delete(page);
          changed = true;
        }
      }
      if (changed) this.announce(key);
    }
  }

  private announce(key: string): void {
    const [businessId, chatId] = key.split(':').map(Number) as [number, number];
    const viewers = this.viewers(businessId, chatId);
    if (viewers.length === 0) this.chats.delete(key);
    this.bus.publish({ type: 'presence', businessId, chatId, viewers });
  }
}

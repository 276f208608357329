import type { LiveBus, Viewer } from '../live/bus.js';

interface Entry {
  login: string;
  name: string;
  typing: boolean;
  expiresAt: number;
}

const TTL_MS = 30_000;

const chatKey = (businessId: number, chatId: number) => `${businessId}:${chatId}`;

/**
 * Who has which chat open and who is typing, per page (a session may have several tabs, each its own
 * `pageId`). Pages refresh their entry while open; entries that stop being refreshed expire.
 */
export class Presence {
  private readonly chats = new Map<string, Map<string, Entry>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly bus: LiveBus,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.expire(), 5_000);
    this.timer.unref();
  }

  /** The page `pageId` shows this chat (and nothing else). */
  update(
    pageId: string,
    viewer: { login: string; name: string },
    chat: { businessId: number; chatId: number } | null,
    typing: boolean,
  ): void {
    const changed = new Set<string>();
    for (const [key, pages] of this.chats) {
      if (chat && key === chatKey(chat.businessId, chat.chatId)) continue;
      if (pages.delete(pageId)) changed.add(key);
    }
    if (chat) {
      const key = chatKey(chat.businessId, chat.chatId);
      const pages = this.chats.get(key) ?? new Map<string, Entry>();
      this.chats.set(key, pages);
      const before = pages.get(pageId);
      pages.set(pageId, { ...viewer, typing, expiresAt: this.now() + TTL_MS });
      if (!before || before.typing !== typing) changed.add(key);
    }
    for (const key of changed) this.announce(key);
  }

  leave(pageId: string): void {
    for (const [key, pages] of this.chats) if (pages.delete(pageId)) this.announce(key);
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
      for (const [pageId, entry] of pages) {
        if (entry.expiresAt <= now) {
          pages.delete(pageId);
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

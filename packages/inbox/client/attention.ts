/**
 * What draws an agent back to the inbox: the tab title counts the chats waiting for a reply, and, if the
 * agent turned them on (a click, never on load: browsers and people both dislike a permission prompt out of
 * nowhere), a browser notification for a new buyer message while the tab is hidden.
 */
import type { ChatView } from './api.js';

const TITLE = 'ym-chats';
/** Per agent: on a shared computer each agent keeps their own choice. */
const NOTIFY_KEY = 'ymc.notify:';

export function setTitle(waiting: number): void {
  document.title = waiting > 0 ? `(${waiting}) ${TITLE}` : TITLE;
}

export type NotifyState = 'unsupported' | 'denied' | 'off' | 'on';

export function notifyState(login: string): NotifyState {
  if (!('Notification' in window)) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  if (Notification.permission !== 'granted') return 'off';
  try {
    return localStorage.getItem(NOTIFY_KEY + login) === 'on' ? 'on' : 'off';
  } catch {
    return 'off';
  }
}

/** The button's click: asks the browser the first time, then turns notifications on or off. */
export async function toggleNotify(login: string): Promise<NotifyState> {
  if (!('Notification' in window)) return 'unsupported';
  const current = notifyState(login);
  if (current === 'on') {
    saveNotify(login, 'off');
    return 'off';
  }
  const permission =
    Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  saveNotify(login, 'on');
  return 'on';
}

function saveNotify(login: string, value: 'on' | 'off'): void {
  try {
    localStorage.setItem(NOTIFY_KEY + login, value);
  } catch {
    // private mode: the choice lasts this page only
  }
}

/**
 * Finds the buyer messages newer than any this page has seen in the queue: a high-water mark of message
 * times, so a filter change that brings older chats into the list announces nothing. The first queue read
 * only sets the mark. Message times have whole seconds: a buyer who writes in the mark's own second is
 * new all the same, unless that very message was seen (the messages at the mark are remembered).
 */
export function newBuyerMessages() {
  let mark: number | null = null;
  let atMark = new Set<string>();
  const key = (c: ChatView) => `${c.businessId}:${c.chatId}:${c.lastMessage?.text ?? ''}`;
  const time = (c: ChatView) => (c.lastMessage ? Date.parse(c.lastMessage.createdAt) : Number.NaN);
  return (chats: ChatView[]): ChatView[] => {
    const arrived =
      mark === null
        ? []
        : chats.filter((c) => {
            const t = time(c);
            return c.lastMessage?.sender === 'CUSTOMER' && (t > mark! || (t === mark && !atMark.has(key(c))));
          });
    for (const c of chats) {
      const t = time(c);
      if (Number.isNaN(t) || (mark !== null && t < mark)) continue;
      if (mark === null || t > mark) {
        mark = t;
        atMark = new Set();
      }
      atMark.add(key(c));
    }
    mark ??= 0;
    return arrived;
  };
}

/** One notification per chat (a newer message replaces it); a click brings the tab back with that chat. */
export function notify(login: string, chat: ChatView, title: string, onClick: () => void): void {
  if (notifyState(login) !== 'on' || !document.hidden) return;
  try {
    const shown = new Notification(title, {
      body: chat.lastMessage?.text.slice(0, 200) ?? '',
      tag: `${chat.businessId}:${chat.chatId}`,
    });
    shown.onclick = () => {
      window.focus();
      onClick();
      shown.close();
    };
  } catch {
    // Some browsers allow notifications only from a service worker: the title still counts.
  }
}

/**
 * The same buyer's other chats, as links in the chat header: what each is about (order, return, question)
 * and whether the buyer waits there too. A link opens that chat in this page.
 */
import type { ChatView } from './api.js';
import type { T } from './i18n.js';
import { orderWords } from './order-i18n.js';
import { contextText } from './queue.js';

/**
 * Opens a chat through the page's own address handling (the app reads `/chats/B/C` on `popstate`), so the
 * header needs no callback from the app; a middle click or a new tab follows the plain link.
 */
function openInPage(event: MouseEvent, href: string): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  history.pushState(null, '', href);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function CustomerChats({ t, chats }: { t: T; chats: ChatView[] }) {
  if (chats.length === 0) return null;
  const w = orderWords(t);
  return (
    <nav class="customer-chats" aria-label={w('otherChats')}>
      <span class="customer-chats-label" aria-hidden="true">
        {w('otherChats')}:
      </span>
      <ul>
        {chats.map((chat) => {
          const href = `/chats/${chat.businessId}/${chat.chatId}`;
          const what = contextText(t, chat);
          return (
            <li key={chat.chatId} data-chat-id={chat.chatId}>
              <a
                href={href}
                title={chat.waitingSince ? w('waiting') : undefined}
                onClick={(e) => openInPage(e, href)}
              >
                {chat.context.type === 'DIRECT' ? `${what} · ${chat.chatId}` : what}
                {chat.waitingSince ? (
                  <span class="customer-chat-waiting">
                    <span aria-hidden="true"> ●</span>
                    <span class="sr-only"> ({w('waiting')})</span>
                  </span>
                ) : null}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

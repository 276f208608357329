import type { T } from './i18n.js';

/**
 * The first thing Tab reaches: straight to the open conversation (or, with none open, to the first chat
 * of the queue) instead of through every filter and queue link before it.
 */
export function SkipLink({ t }: { t: T }) {
  return (
    // biome-ignore lint/a11y/useValidAnchor: a skip link is a link to #log; the click moves focus without adding a history entry
    <a
      class="skip"
      href="#log"
      onClick={(e) => {
        e.preventDefault();
        const target =
          document.getElementById('log') ??
          document.querySelector<HTMLElement>('.chat-list a, .chat-list button');
        target?.focus();
      }}
    >
      {t('skipToChat')}
    </a>
  );
}

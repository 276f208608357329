import { useLayoutEffect, useRef } from 'preact/hooks';

import type { Key, T } from './i18n.js';

export interface ShortcutActions {
  next: () => void;
  down: () => void;
  up: () => void;
  reply: () => void;
  send: () => void;
  templates: () => void;
  search: () => void;
  help: () => void;
  escape: () => void;
}

/** The keys, in one place for the handler and the cheat sheet. */
const KEYS: Array<{ keys: string[]; action: keyof ShortcutActions; help: Key }> = [
  { keys: ['n'], action: 'next', help: 'scNext' },
  { keys: ['j'], action: 'down', help: 'scDown' },
  { keys: ['k'], action: 'up', help: 'scUp' },
  { keys: ['r'], action: 'reply', help: 'scReply' },
  { keys: ['Ctrl+Enter'], action: 'send', help: 'scSend' },
  { keys: ['t'], action: 'templates', help: 'scTemplates' },
  { keys: ['/'], action: 'search', help: 'scSearch' },
  { keys: ['?'], action: 'help', help: 'scHelp' },
  { keys: ['Esc'], action: 'escape', help: 'scEscape' },
];

function typingInField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable)
  );
}

export function useShortcuts(actions: ShortcutActions): void {
  const current = useRef(actions);
  current.current = actions;
  // Listening from the render's own task (a layout effect): a plain effect waits for the next frame, and a
  // key pressed as the inbox appears (after the login, or a reload) was lost.
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        // Out of a text field first, so the letter shortcuts work again instead of being typed.
        if (typingInField(e.target)) (e.target as HTMLElement).blur();
        return current.current.escape();
      }
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        // The reply box sends by itself; elsewhere Ctrl+Enter sends the open chat's draft.
        if (!typingInField(e.target)) current.current.send();
        return;
      }
      if (typingInField(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      const found = KEYS.find((k) => k.keys.includes(e.key));
      if (!found) return;
      e.preventDefault();
      current.current[found.action]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function Shortcuts({ t, onClose }: { t: T; onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  // Opened on request: focus goes to its only control, so Enter or Escape closes it — in the render's own
  // task (a layout effect), so a key pressed before the next frame already finds it there.
  useLayoutEffect(() => close.current?.focus(), []);
  return (
    <div class="overlay">
      <div class="sheet" role="dialog" aria-modal="true" aria-label={t('shortcuts')}>
        <h2>{t('shortcuts')}</h2>
        <dl>
          {KEYS.map((k) => (
            <div key={k.keys.join()}>
              <dt>
                {k.keys.map((key) => (
                  <kbd key={key}>{key}</kbd>
                ))}
              </dt>
              <dd>{t(k.help)}</dd>
            </div>
          ))}
        </dl>
        <button type="button" ref={close} onClick={onClose}>
          {t('close')}
        </button>
      </div>
    </div>
  );
}

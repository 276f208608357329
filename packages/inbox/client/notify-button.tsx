import { useState } from 'preact/hooks';
import { type NotifyState, notifyState, toggleNotify } from './attention.js';
import type { T } from './i18n.js';
import { Bell } from './icons.js';

/**
 * Turns browser notifications of new buyer messages on and off. The browser's permission is asked for
 * only here, after the agent's click, never when the page loads.
 */
export function NotifyButton({ t, login }: { t: T; login: string }) {
  const [state, setState] = useState<NotifyState>(() => notifyState(login));
  if (state === 'unsupported') return null;
  const label = state === 'denied' ? t('notificationsBlocked') : t('notifications');
  return (
    <button
      type="button"
      class={`notify ${state}`}
      aria-label={label}
      title={label}
      aria-pressed={state === 'on'}
      disabled={state === 'denied'}
      onClick={() => void toggleNotify(login).then(setState)}
    >
      <Bell />
    </button>
  );
}

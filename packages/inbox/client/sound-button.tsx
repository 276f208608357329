import { useState } from 'preact/hooks';
import type { T } from './i18n.js';
import { Speaker } from './icons.js';
import { chime, setSound, soundOn } from './sound.js';

/** Turns the chime for a newly waiting buyer on and off, for this agent; turning it on plays it once. */
export function SoundButton({ t, login }: { t: T; login: string }) {
  const [on, setOn] = useState(() => soundOn(login));
  return (
    <button
      type="button"
      class="notify sound"
      aria-label={t('sound')}
      title={t('sound')}
      aria-pressed={on}
      onClick={() => {
        setSound(login, !on);
        setOn(!on);
        if (!on) chime(login);
      }}
    >
      <Speaker />
    </button>
  );
}

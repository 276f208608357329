/**
 * A short chime for a buyer who starts waiting, if the agent turned it on. Off by default and remembered per
 * agent (a shared computer keeps each agent's choice). Made with Web Audio, so there is no sound file to
 * fetch and nothing for the CSP to allow; browsers start audio only after a click on the page, which the
 * button that turns it on is.
 */
const KEY = 'ymc.sound:';

let context: AudioContext | undefined;

export function soundOn(login: string): boolean {
  try {
    return localStorage.getItem(KEY + login) === 'on';
  } catch {
    return false;
  }
}

export function setSound(login: string, on: boolean): void {
  try {
    localStorage.setItem(KEY + login, on ? 'on' : 'off');
  } catch {
    // private mode: the choice lasts this page only
  }
  // Created inside the click, so the browser lets it play later without another gesture.
  if (on) context ??= new AudioContext();
}

/** Two soft notes; nothing when the agent has not turned sound on. */
export function chime(login: string): void {
  if (!soundOn(login)) return;
  try {
    context ??= new AudioContext();
    const start = context.currentTime;
    for (const [i, frequency] of [880, 1320].entries()) {
      const tone = context.createOscillator();
      const gain = context.createGain();
      tone.frequency.value = frequency;
      const at = start + i * 0.12;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.15, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
      tone.connect(gain).connect(context.destination);
      tone.start(at);
      tone.stop(at + 0.3);
    }
  } catch {
    // no audio device or a browser without Web Audio: the title and the notification still tell
  }
}

/**
 * The built-in transport: node:http for a client's first calls, so importing the SDK and making a first
 * call costs little more than a raw request (a cloud function woken from a cold start); undici from then
 * on, loaded in the background, since per call it costs less. `npm run bench` measures both choices.
 */
import { type Transport, TransportTimeout, withTimer } from './http.js';
import { nodeHttpTransport } from './node-http.js';

/** Calls made over node:http before undici is loaded: one-shot tools never load it at all. */
export const UNDICI_AFTER_CALLS = 8;

export function defaultTransport(): Transport {
  const first = nodeHttpTransport();
  let steady: Transport | undefined;
  let calls = 0;
  return (req) => {
    if (steady) return steady(req);
    calls += 1;
    if (calls === UNDICI_AFTER_CALLS) {
      import('./undici.js').then(
        (m) => {
          steady = m.undiciTransport({ withTimer, timeout: (message) => new TransportTimeout(message) });
        },
        // Without undici (say, a bundle that left it out) node:http carries on alone.
        () => {},
      );
    }
    return first(req);
  };
}

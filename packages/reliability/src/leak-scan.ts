/** Every rendering of an error or a log line a user might see, searched for the secret. */
import { inspect } from 'node:util';
import type { LogLine } from './counting-logger.js';

/** The texts a thrown value can turn into: message, stack, String(), JSON, inspect, and its cause chain. */
export function renderingsOf(error: unknown): string[] {
  const out: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    out.push(String(current), inspect(current, { depth: 10, showHidden: true }));
    try {
      out.push(JSON.stringify(current) ?? '');
    } catch (e) {
      out.push(`unserializable: ${String(e)}`);
    }
    if (current instanceof Error) {
      out.push(current.message, current.stack ?? '');
      // Own enumerable properties (requestId, errors[], resetAt …) are checked one by one too.
      for (const value of Object.values(current))
        out.push(typeof value === 'string' ? value : inspect(value, { depth: 10 }));
      current = current.cause;
    } else {
      current = undefined;
    }
  }
  return out;
}

export function renderingsOfLog(line: LogLine): string[] {
  return [line.message, JSON.stringify(line.data ?? {}), inspect(line.data, { depth: 10 })];
}

/** How many of the texts contain the secret (or its URL-encoded or base64 form). */
export function countLeaks(texts: string[], secret: string): number {
  const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
  return texts.filter((t) => forms.some((f) => t.includes(f))).length;
}

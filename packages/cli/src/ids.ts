/** Ids typed on the command line: decimal text only, kept exact above 2^53 by switching to bigint. */
import type { Id } from '@ym-chats/sdk';
import { UsageError } from './errors.js';

const MAX_INT64 = 2n ** 63n - 1n;

export function parseId(raw: string | undefined, what: string, hint?: string): Id {
  if (raw === undefined || raw === '') throw new UsageError(`${what} is missing`, hint);
  const text = raw.trim();
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`${what} must be a positive integer, got "${raw}"`, hint ?? idHint(what));
  }
  const big = BigInt(text);
  if (big < 1n || big > MAX_INT64) {
    throw new UsageError(`${what} must be between 1 and ${MAX_INT64}, got ${text}`, hint ?? idHint(what));
  }
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function idHint(what: string): string | undefined {
  if (what.startsWith('chat id')) return 'Chat ids are the numbers in the CHAT column of `ym-chats chats`.';
  if (what.startsWith('message id'))
    return 'Message ids are the #numbers shown by `ym-chats history <chatId>`.';
  return undefined;
}

/** A comma-separated or repeated list flag, flattened: `--order 1,2 --order 3` → ['1','2','3']. */
export function listValues(raw: string[] | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

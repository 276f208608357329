import { createHash } from 'node:crypto';

/**
 * What the store records of a key that lacked the order scope (`order_scope_missing.key_fingerprint`): a
 * SHA-256 of it, cut to 16 hex digits — enough to tell one key from the next, useless to recover it.
 */
export function keyFingerprint(secret: string): string {
  if (secret === '') throw new TypeError('keyFingerprint: the key is empty');
  return createHash('sha256').update(`ym-chats order scope\0${secret}`).digest('hex').slice(0, 16);
}

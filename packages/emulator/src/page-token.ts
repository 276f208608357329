/**
 * Opaque page tokens. A token carries a keyset position (the last id served) plus the scope of the query it
 * belongs to and a checksum, so a token from another query, another chat or an edited token is refused
 * instead of silently returning the wrong page.
 */
import { createHash } from 'node:crypto';

const SALT = 'ym-chats-emulator/page-token/v2';

/** SHA-256, shortened: collisions between two queries must be impossible in practice, not just unlikely. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

export function encodePageToken(scope: string, lastId: number): string {
  const payload = `${scope}|${lastId}`;
  const check = digest(`${SALT}|${payload}`);
  return Buffer.from(`${payload}|${check}`, 'utf8').toString('base64url');
}

/** Returns the position, or undefined when the token is malformed, tampered with or for another query. */
export function decodePageToken(token: string, scope: string): number | undefined {
  if (token.length === 0 || token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const lastBar = text.lastIndexOf('|');
  if (lastBar < 0) return undefined;
  const payload = text.slice(0, lastBar);
  if (digest(`${SALT}|${payload}`) !== text.slice(lastBar + 1)) return undefined;
  const idBar = payload.lastIndexOf('|');
  if (payload.slice(0, idBar) !== scope) return undefined;
  const id = Number(payload.slice(idBar + 1));
  return Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

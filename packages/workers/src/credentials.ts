/**
 * Credentials at rest: AES-256-GCM with a key from the environment (YM_CREDENTIALS_KEY, 32 bytes in
 * base64). Each sealed value carries its own random nonce and the tag, and is bound to its business id
 * (additional data), so a ciphertext copied onto another business's row does not open. A wrong key fails
 * the tag check: an error, never garbage.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const KEY_VARIABLE = 'YM_CREDENTIALS_KEY';
const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export type CredentialKind = 'api-key' | 'oauth-token';

export interface Credential {
  kind: CredentialKind;
  secret: string;
}

export class CredentialKeyError extends Error {
  override name = 'CredentialKeyError';
}

const HOW_TO =
  `Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))" and ` +
  `export ${KEY_VARIABLE}=… in every process that registers or syncs businesses (keep it out of the store).`;

/** The 32-byte key from `env[YM_CREDENTIALS_KEY]`, or an error naming the variable and how to make one. */
export function credentialKey(env: Record<string, string | undefined> = process.env): Buffer {
  const text = env[KEY_VARIABLE]?.trim();
  if (text === undefined || text === '') {
    throw new CredentialKeyError(
      `${KEY_VARIABLE} is not set: it is the key that encrypts credentials. ${HOW_TO}`,
    );
  }
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new CredentialKeyError(`${KEY_VARIABLE} must be 32 bytes in base64 (44 characters). ${HOW_TO}`);
  }
  return key;
}

const aad = (businessId: bigint, kind: CredentialKind) => Buffer.from(`${VERSION}:${businessId}:${kind}`);

export function seal(key: Buffer, businessId: bigint, credential: Credential): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad(businessId, credential.kind));
  const body = Buffer.concat([cipher.update(credential.secret, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64')}`;
}

export function open(key: Buffer, businessId: bigint, kind: CredentialKind, sealed: string): string {
  const [version, payload] = sealed.split(':');
  if (version !== VERSION || payload === undefined) {
    throw new CredentialKeyError(`business ${businessId}: stored credential in an unknown format`);
  }
  const raw = Buffer.from(payload, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES));
    decipher.setAAD(aad(businessId, kind));
    decipher.setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new CredentialKeyError(
      `business ${businessId}: the credential does not decrypt with this ${KEY_VARIABLE} ` +
        '(a different key than the one it was registered with, or the row was altered)',
    );
  }
}

/** What `list` shows instead of a secret: its kind and last four characters. */
export function mask(credential: Credential): string {
  const tail = credential.secret.length >= 12 ? credential.secret.slice(-4) : '';
  return `${credential.kind} ••••${tail}`;
}

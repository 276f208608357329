/**
 * Tokens the server signs rather than stores: the login form's CSRF token (nothing is kept for a visitor
 * before they log in, so a flood of visitors has nothing to push out) and the device token a browser
 * earns by logging in (login-limiter.ts). HMAC-SHA-256 from node:crypto. The device token needs a
 * server-side signature whatever guards the form, and `@fastify/csrf-protection` (the maintained plugin
 * for this framework) would add a second secret scheme beside it — a per-visitor secret in a signed cookie —
 * for what is here the same HMAC under another use's key (see below); `csrf-csrf` is written for Express.
 *
 * One secret per database (`inbox_secrets`), made by whichever process needs it first, so every `serve`
 * process on the database accepts what the others signed, and a restart invalidates nothing. Anyone who
 * can read that table can forge these tokens — which lets them skip the login limits' shared ceiling, not
 * log in (a password or a login link is still needed); sessions, which do log in, are stored hashed.
 * Each use has a key of its own (HMAC of the secret and the use's name), so a token made for one use is
 * never accepted for another.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '@ym-chats/sync';

export type TokenUse = 'login-form' | 'device';

const SECRET_NAME = 'signing';

/** The database's signing secret, made on first use (two processes racing agree on the first insert). */
export async function storedSecret(sql: Sql): Promise<Buffer> {
  await sql.run('INSERT INTO inbox_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [
    SECRET_NAME,
    randomBytes(32).toString('base64url'),
  ]);
  const rows = await sql.all('SELECT value FROM inbox_secrets WHERE name = ?', [SECRET_NAME]);
  return Buffer.from(String(rows[0]!.value), 'base64url');
}

/** A secret of this process alone (`createInbox` without a database): tokens die with the process. */
export function processSecret(): () => Promise<Buffer> {
  const secret = randomBytes(32);
  return async () => secret;
}

/** A random value for a token's body or a cookie: 128 bits, base64url (no `.`). */
export function nonce(): string {
  return randomBytes(16).toString('base64url');
}

/** Signs and opens `field.field….mac` tokens; fields are base64url or decimal (never a `.`). */
export class Signer {
  private secret: Promise<Buffer> | undefined;

  constructor(private readonly loadSecret: () => Promise<Buffer>) {}

  private async mac(use: TokenUse, body: string): Promise<Buffer> {
    this.secret ??= this.loadSecret().catch((error: unknown) => {
      // A failed load (the database was down) is tried again at the next token.
      this.secret = undefined;
      throw error;
    });
    const key = createHmac('sha256', await this.secret)
      .update(use)
      .digest();
    return createHmac('sha256', key).update(body).digest();
  }

  async sign(use: TokenUse, fields: string[]): Promise<string> {
    const body = fields.join('.');
    return `${body}.${(await this.mac(use, body)).toString('base64url')}`;
  }

  /** The fields of a token this server signed for `use`, or undefined. */
  async open(use: TokenUse, token: string | undefined, count: number): Promise<string[] | undefined> {
    if (token === undefined || token.length > 500) return undefined;
    const parts = token.split('.');
    if (parts.length !== count + 1) return undefined;
    const given = Buffer.from(parts.pop()!, 'base64url');
    const expected = await this.mac(use, parts.join('.'));
    return given.length === expected.length && timingSafeEqual(given, expected) ? parts : undefined;
  }
}

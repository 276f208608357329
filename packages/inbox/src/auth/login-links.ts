/**
 * One-time login links: made in a terminal (`ym-chats agents link LOGIN`) by someone who can open the
 * store, followed once in a browser, which is then logged in and given a device token. This is how a new
 * browser or a new colleague gets in while guessers hold the login limits' shared ceiling. Short-lived,
 * single use, and only a SHA-256 of the token is stored (a copy of the table opens nothing; the token's
 * 256 random bits make a slow hash pointless).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '@ym-chats/sync';
import { migrateInbox } from '../store/migrations.js';

/** Default lifetime of a link. */
export const LOGIN_LINK_TTL_MS = 15 * 60_000;

export interface LoginLinks {
  /** A new link's token for `login`, good once within `ttlMs`. */
  create(login: string, ttlMs?: number): Promise<string>;
  /** The login a valid, unused, unexpired token was made for — and the token is used up; or undefined. */
  redeem(token: string): Promise<string | undefined>;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');
const newToken = () => randomBytes(32).toString('base64url');
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Where a link's token goes on the inbox's origin: in the fragment, which browsers never send to a server. */
export function loginLinkUrl(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, '')}/login#link=${token}`;
}

/** Links in this process's memory (`createInbox` without a database). */
export class MemoryLoginLinks implements LoginLinks {
  private readonly links = new Map<string, { login: string; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async create(login: string, ttlMs = LOGIN_LINK_TTL_MS): Promise<string> {
    const now = this.now();
    for (const [hash, link] of this.links) if (link.expires <= now) this.links.delete(hash);
    const token = newToken();
    this.links.set(tokenHash(token), { login, expires: now + ttlMs });
    return token;
  }

  async redeem(token: string): Promise<string | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const hash = tokenHash(token);
    const link = this.links.get(hash);
    this.links.delete(hash);
    return link && link.expires > this.now() ? link.login : undefined;
  }
}

/** Links in the inbox's table (`inbox_login_links`): made by the CLI, followed through any `serve` process. */
export class SqlLoginLinks implements LoginLinks {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => number = Date.now,
  ) {}

  async create(login: string, ttlMs = LOGIN_LINK_TTL_MS): Promise<string> {
    const now = this.now();
    await this.sql.run('DELETE FROM inbox_login_links WHERE expires_ms <= ?', [now]);
    const token = newToken();
    await this.sql.run(
      'INSERT INTO inbox_login_links (token_hash, login, created_ms, expires_ms) VALUES (?, ?, ?, ?)',
      [tokenHash(token), login, now, now + ttlMs],
    );
    return token;
  }

  async redeem(token: string): Promise<string | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const hash = tokenHash(token);
    const now = this.now();
    // The update is the use: of two browsers (or processes) following one link at once, one changes the row.
    const used = await this.sql.run(
      'UPDATE inbox_login_links SET used_ms = ? WHERE token_hash = ? AND used_ms IS NULL AND expires_ms > ?',
      [now, hash, now],
    );
    if (used !== 1) return undefined;
    const rows = await this.sql.all('SELECT login FROM inbox_login_links WHERE token_hash = ?', [hash]);
    return rows[0] === undefined ? undefined : String(rows[0].login);
  }
}

/** For the terminal (`ym-chats agents link`): the inbox's tables made if need be, then a new link's token. */
export async function createLoginLink(sql: Sql, login: string, ttlMs?: number): Promise<string> {
  await migrateInbox(sql);
  return new SqlLoginLinks(sql).create(login, ttlMs);
}

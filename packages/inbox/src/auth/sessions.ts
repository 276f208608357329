import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '@ym-chats/sync';

export interface Session {
  id: string;
  /** Sent back in `X-CSRF-Token` on every write; never in a cookie. */
  csrf: string;
  /** Sessions are made at a login (or for the loopback user): before it a visitor has none (login-form.ts). */
  login: string;
  createdAt: number;
  seenAt: number;
}

/**
 * local: the loopback user, logged in by being there — made for any program on the machine that asks, so
 * capped (the oldest go first); agent: after a login or a login link.
 */
export type SessionKind = 'local' | 'agent';

export interface SessionStoreOptions {
  idleMs?: number;
  maxAgeMs?: number;
  /** Local-user sessions kept at most (any program on the machine can ask for one). Default 1 000. */
  maxLocal?: number;
  now?: () => number;
}

export interface SessionStore {
  create(kind: SessionKind, login: string): Promise<Session>;
  get(id: string | undefined): Promise<Session | undefined>;
  /** Login: a new id (no session fixation), the old one gone. */
  upgrade(previous: Session | undefined, login: string): Promise<Session>;
  /** Logout: the session is refused from now on, by every process. */
  destroy(id: string): Promise<void>;
}

export const SESSION_COOKIE = 'ymc_session';

const token = () => randomBytes(32).toString('base64url');

/** What the database keeps instead of the session id: a leaked table opens no session. */
export function sessionKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** Seen-times are written at most this often (every request would otherwise be a write). */
const TOUCH_MS = 60_000;

class Limits {
  readonly idleMs: number;
  readonly maxAgeMs: number;
  readonly caps: Record<SessionKind, number>;
  readonly now: () => number;

  constructor(options: SessionStoreOptions) {
    this.idleMs = options.idleMs ?? 12 * 3600_000;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3600_000;
    this.caps = {
      local: options.maxLocal ?? 1_000,
      agent: Number.POSITIVE_INFINITY,
    };
    this.now = options.now ?? Date.now;
  }

  expired(s: { createdAt: number; seenAt: number }, now: number): boolean {
    return now - s.seenAt > this.idleMs || now - s.createdAt > this.maxAgeMs;
  }

  fresh(login: string): Session {
    const now = this.now();
    return { id: token(), csrf: token(), login, createdAt: now, seenAt: now };
  }
}

/** Sessions in this process's memory (for `createInbox` over a source without a database). */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Session & { kind: SessionKind }>();
  private readonly limits: Limits;

  constructor(options: SessionStoreOptions = {}) {
    this.limits = new Limits(options);
  }

  async create(kind: SessionKind, login: string): Promise<Session> {
    this.evict(kind);
    const session = this.limits.fresh(login);
    this.sessions.set(session.id, { ...session, kind });
    return session;
  }

  async get(id: string | undefined): Promise<Session | undefined> {
    if (id === undefined) return undefined;
    const stored = this.sessions.get(id);
    if (!stored) return undefined;
    const now = this.limits.now();
    if (this.limits.expired(stored, now)) {
      this.sessions.delete(id);
      return undefined;
    }
    stored.seenAt = now;
    const { kind: _kind, ...session } = stored;
    return session;
  }

  async upgrade(previous: Session | undefined, login: string): Promise<Session> {
    if (previous) this.sessions.delete(previous.id);
    return this.create('agent', login);
  }

  async destroy(id: string): Promise<void> {
    this.sessions.delete(id);
  }

  /** Makes room for one more of `kind`: the oldest of that kind go (Map order is creation order). */
  private evict(kind: SessionKind): void {
    const cap = this.limits.caps[kind];
    let count = 0;
    for (const s of this.sessions.values()) if (s.kind === kind) count += 1;
    for (const [id, s] of this.sessions) {
      if (count < cap) return;
      if (s.kind === kind) {
        this.sessions.delete(id);
        count -= 1;
      }
    }
  }
}

/**
 * Sessions in the inbox's table (`inbox_sessions`), so every `serve` process on the database accepts
 * them, a restart logs nobody out, and a logout holds everywhere at once. Ids are stored hashed.
 */
export class SqlSessionStore implements SessionStore {
  private readonly limits: Limits;
  private creates = 0;

  constructor(
    private readonly sql: Sql,
    options: SessionStoreOptions = {},
  ) {
    this.limits = new Limits(options);
  }

  async create(kind: SessionKind, login: string): Promise<Session> {
    const session = this.limits.fresh(login);
    await this.sql.run(
      'INSERT INTO inbox_sessions (id_hash, csrf, login, kind, created_ms, seen_ms) VALUES (?, ?, ?, ?, ?, ?)',
      [sessionKey(session.id), session.csrf, session.login, kind, session.createdAt, session.seenAt],
    );
    const cap = this.limits.caps[kind];
    if (Number.isFinite(cap)) {
      // The newest `cap` of this kind stay (ties within one millisecond may keep a few more).
      await this.sql.run(
        `DELETE FROM inbox_sessions WHERE kind = ? AND created_ms <
           (SELECT created_ms FROM inbox_sessions WHERE kind = ? ORDER BY created_ms DESC LIMIT 1 OFFSET ?)`,
        [kind, kind, cap - 1],
      );
    }
    this.creates += 1;
    if (this.creates % 100 === 1) await this.purge();
    return session;
  }

  async get(id: string | undefined): Promise<Session | undefined> {
    if (id === undefined || id.length > 100) return undefined;
    const key = sessionKey(id);
    const rows = await this.sql.all(
      'SELECT csrf, login, created_ms, seen_ms FROM inbox_sessions WHERE id_hash = ?',
      [key],
    );
    const row = rows[0];
    // A row from before version 8 without a login (an anonymous session) opens nothing.
    if (!row || row.login === null) return undefined;
    const now = this.limits.now();
    const session: Session = {
      id,
      csrf: String(row.csrf),
      login: String(row.login),
      createdAt: Number(row.created_ms),
      seenAt: Number(row.seen_ms),
    };
    if (this.limits.expired(session, now)) {
      await this.sql.run('DELETE FROM inbox_sessions WHERE id_hash = ?', [key]);
      return undefined;
    }
    if (now - session.seenAt > TOUCH_MS) {
      await this.sql.run('UPDATE inbox_sessions SET seen_ms = ? WHERE id_hash = ?', [now, key]);
      session.seenAt = now;
    }
    return session;
  }

  async upgrade(previous: Session | undefined, login: string): Promise<Session> {
    if (previous) await this.destroy(previous.id);
    return this.create('agent', login);
  }

  async destroy(id: string): Promise<void> {
    await this.sql.run('DELETE FROM inbox_sessions WHERE id_hash = ?', [sessionKey(id)]);
  }

  /** Expired sessions go now and then (a session nobody presents again would otherwise stay). */
  private async purge(): Promise<void> {
    const now = this.limits.now();
    await this.sql.run('DELETE FROM inbox_sessions WHERE seen_ms < ? OR created_ms < ?', [
      now - this.limits.idleMs,
      now - this.limits.maxAgeMs,
    ]);
  }
}

export function sameToken(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

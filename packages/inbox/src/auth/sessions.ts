import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '@ym-chats/sync';

export interface Session {
  id: string;
  /** Sent back in `X-CSRF-Token` on every write; never in a cookie. */
  csrf: string;
  /** Absent until the login succeeds (anonymous sessions exist only to carry the login's CSRF token). */
  login?: string;
  createdAt: number;
  seenAt: number;
}

/**
 * anonymous: before a login; local: the loopback user, logged in by being there; agent: after a login.
 * The first two are made for anyone who asks, so each is capped (the oldest go first).
 */
export type SessionKind = 'anonymous' | 'local' | 'agent';

export interface SessionStoreOptions {
  idleMs?: number;
  maxAgeMs?: number;
  /** Anonymous sessions kept at most. Bounds what unauthenticated clients can allocate. Default 10 000. */
  maxAnonymous?: number;
  /** Local-user sessions kept at most (any program on the machine can ask for one). Default 1 000. */
  maxLocal?: number;
  now?: () => number;
}

export interface SessionStore {
  create(kind: SessionKind, login?: string): Promise<Session>;
  get(id: string | undefined): Promise<Session | undefined>;
  /** Login: a new id (no session fixation), the old one gone. */
  upgrade(previous: Session | undefined, login: string): Promise<Session>;
  /** Logout: the session is refused from now on, by every process. */
  destroy(id: string): Promise<void>;
}

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
      anonymous: options.maxAnonymous ?? 10_000,
      local: options.maxLocal ?? 1_000,
      agent: Number.POSITIVE_INFINITY,
    };
    this.now = options.now ?? Date.now;
  }

  expired(s: { createdAt: number; seenAt: number }, now: number): boolean {
    return now - s.seenAt > this.idleMs || now - s.createdAt > this.maxAgeMs;
  }

  fresh(kind: SessionKind, login: string | undefined): Session {
    const now = this.now();
    const session: Session = { id: token(), csrf: token(), createdAt: now, seenAt: now };
    if (kind !== 'anonymous' && login !== undefined) session.login = login;
    return session;
  }
}

/** Sessions in this process's memory (for `createInbox` over a source without a database). */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Session & { kind: SessionKind }>();
  private readonly limits: Limits;

  constructor(options: SessionStoreOptions = {}) {
    this.limits = new Limits(options);
  }

  async create(kind: SessionKind, login?: string): Promise<Session> {
    this.evict(kind);
    const session = this.limits.fresh(kind, login);
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

  async create(kind: SessionKind, login?: string): Promise<Session> {
    const session = this.limits.fresh(kind, login);
    await this.sql.run(
      'INSERT INTO inbox_sessions (id_hash, csrf, login, kind, created_ms, seen_ms) VALUES (?, ?, ?, ?, ?, ?)',
      [sessionKey(session.id), session.csrf, session.login ?? null, kind, session.createdAt, session.seenAt],
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
    if (!row) return undefined;
    const now = this.limits.now();
    const session: Session = {
      id,
      csrf: String(row.csrf),
      createdAt: Number(row.created_ms),
      seenAt: Number(row.seen_ms),
    };
    if (row.login !== null) session.login = String(row.login);
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

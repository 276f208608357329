import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  id: string;
  /** Sent back in `X-CSRF-Token` on every write; never in a cookie. */
  csrf: string;
  /** Absent until the login succeeds (anonymous sessions exist only to carry the login's CSRF token). */
  login?: string;
  createdAt: number;
  seenAt: number;
}

export interface SessionStoreOptions {
  idleMs?: number;
  maxAgeMs?: number;
  /** Anonymous sessions kept at most; the oldest go first. Bounds what unauthenticated clients can allocate. */
  maxAnonymous?: number;
  now?: () => number;
}

const token = () => randomBytes(32).toString('base64url');

/** Server-side sessions in this process's memory (a `serve` restart logs everyone out). */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly maxAnonymous: number;
  private readonly now: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.idleMs = options.idleMs ?? 12 * 3600_000;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3600_000;
    this.maxAnonymous = options.maxAnonymous ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  create(login?: string): Session {
    const now = this.now();
    const session: Session = { id: token(), csrf: token(), createdAt: now, seenAt: now };
    if (login !== undefined) session.login = login;
    else this.evictAnonymous();
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const now = this.now();
    if (now - session.seenAt > this.idleMs || now - session.createdAt > this.maxAgeMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.seenAt = now;
    return session;
  }

  /** Login: a new id (no session fixation), the old one gone. */
  upgrade(previous: Session | undefined, login: string): Session {
    if (previous) this.sessions.delete(previous.id);
    return this.create(login);
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  private evictAnonymous(): void {
    let anonymous = 0;
    for (const s of this.sessions.values()) if (s.login === undefined) anonymous += 1;
    if (anonymous < this.maxAnonymous) return;
    for (const [id, s] of this.sessions) {
      if (s.login === undefined) {
        this.sessions.delete(id);
        return;
      }
    }
  }
}

export function sameToken(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

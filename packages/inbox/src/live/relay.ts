/**
 * What crosses between `serve` processes sharing one database: other agents' actions (sends, assignments),
 * presence, and the store's own changes (a chat's status or type, the event log growing) announced by the
 * triggers the inbox's migrations put on the store's tables. Each process fans a message out to its own
 * pages; its own messages come back to it and are dropped by origin.
 */
import { randomBytes } from 'node:crypto';
import type { LiveEvent } from './bus.js';

export interface PresenceNote {
  /** A hash of the session and the page's id: never the session id itself (the payload is visible in the database). */
  page: string;
  login: string;
  name: string;
  /** The chat the page shows, or null when it shows none. */
  chat: { businessId: number; chatId: number } | null;
  typing: boolean;
}

export type RelayMessage =
  /** An agent's action, to be shown on every page. */
  | { kind: 'event'; event: Extract<LiveEvent, { type: 'assigned' | 'sent' }> }
  | { kind: 'presence'; note: PresenceNote }
  /** A chat's status or type changed in the store (from a trigger). */
  | { kind: 'chat'; businessId: number; chatId: number }
  /** The store's event log grew (from a trigger): index it now rather than at the next poll. */
  | { kind: 'log' };

export interface Relay {
  /** Sends to every process on the database (this one included; its own come back and are dropped). */
  publish(message: RelayMessage): void;
  subscribe(listener: (message: RelayMessage) => void): () => void;
  /**
   * Called when messages may have been missed (the listening connection dropped and came back): pages
   * should re-read what they show.
   */
  onGap(listener: () => void): () => void;
  close(): Promise<void>;
}

/** Identifies this process's messages, so its own echo is not fanned out twice. */
export function newOrigin(): string {
  return randomBytes(8).toString('hex');
}

export function encode(origin: string, message: RelayMessage): string {
  return JSON.stringify({ o: origin, m: message });
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isText = (v: unknown, max = 200): v is string => typeof v === 'string' && v.length <= max;

function chatKey(v: unknown): { businessId: number; chatId: number } | null | undefined {
  if (v === null) return null;
  if (typeof v !== 'object') return undefined;
  const c = v as Record<string, unknown>;
  return isId(c.businessId) && isId(c.chatId) ? { businessId: c.businessId, chatId: c.chatId } : undefined;
}

/**
 * The message in a payload, or undefined for anything malformed: the channel is open to every role that
 * can connect to the database, so nothing read from it is trusted beyond its shape.
 */
export function decode(payload: string): { origin: string | null; message: RelayMessage } | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const outer = raw as Record<string, unknown>;
  // Triggers write the message itself, with no origin.
  const origin = isText(outer.o, 64) ? outer.o : null;
  const m = (origin === null ? outer : outer.m) as Record<string, unknown> | undefined;
  if (typeof m !== 'object' || m === null) return undefined;
  switch (m.kind) {
    case 'log':
      return { origin, message: { kind: 'log' } };
    case 'chat': {
      const businessId = Number(m.businessId);
      const chatId = Number(m.chatId);
      if (!isId(businessId) || !isId(chatId)) return undefined;
      return { origin, message: { kind: 'chat', businessId, chatId } };
    }
    case 'presence': {
      const n = m.note as Record<string, unknown> | undefined;
      if (typeof n !== 'object' || n === null) return undefined;
      const chat = chatKey(n.chat);
      if (!isText(n.page, 100) || !isText(n.login) || !isText(n.name) || chat === undefined) return undefined;
      return {
        origin,
        message: {
          kind: 'presence',
          note: { page: n.page, login: n.login, name: n.name, chat, typing: n.typing === true },
        },
      };
    }
    case 'event': {
      const e = m.event as Record<string, unknown> | undefined;
      if (typeof e !== 'object' || e === null || !isId(e.businessId) || !isId(e.chatId)) return undefined;
      if (!isText(e.by)) return undefined;
      if (e.type === 'assigned' && (e.assignee === null || isText(e.assignee))) {
        return {
          origin,
          message: {
            kind: 'event',
            event: {
              type: 'assigned',
              businessId: e.businessId,
              chatId: e.chatId,
              assignee: e.assignee,
              by: e.by,
            },
          },
        };
      }
      if (e.type === 'sent' && isId(e.auditId)) {
        return {
          origin,
          message: {
            kind: 'event',
            event: { type: 'sent', businessId: e.businessId, chatId: e.chatId, by: e.by, auditId: e.auditId },
          },
        };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Listener bookkeeping every relay shares. */
export class RelayListeners {
  private readonly listeners = new Set<(message: RelayMessage) => void>();
  private readonly gaps = new Set<() => void>();

  constructor(private readonly origin: string) {}

  subscribe(listener: (message: RelayMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onGap(listener: () => void): () => void {
    this.gaps.add(listener);
    return () => this.gaps.delete(listener);
  }

  /** A payload read from the database: fanned out unless malformed or this process's own. */
  receive(payload: string): void {
    const decoded = decode(payload);
    if (!decoded || decoded.origin === this.origin) return;
    this.deliver(decoded.message);
  }

  /** A message this process noticed by itself (e.g. the log grew): for this process's listeners only. */
  deliver(message: RelayMessage): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch {
        // One failing listener must not starve the others.
      }
    }
  }

  gap(): void {
    for (const listener of [...this.gaps]) listener();
  }

  clear(): void {
    this.listeners.clear();
    this.gaps.clear();
  }
}

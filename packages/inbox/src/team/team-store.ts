import type { ChatKey } from '../types.js';

export type AuditAction =
  | 'sent'
  | 'file_sent'
  | 'maybe_sent'
  | 'send_failed'
  | 'assigned'
  | 'login'
  | 'logout';

export interface AuditEntry {
  id: number;
  at: string;
  login: string;
  action: AuditAction;
  businessId?: number;
  chatId?: number;
  /** What was sent (text, or the file name and size), or the new assignee. */
  detail?: string;
}

/**
 * The inbox's own state beside the store's chats: who is assigned to which chat and who did what. The
 * interface is what a database-backed implementation (the inbox's tables next to the sync store's) fills.
 */
export interface TeamStore {
  assignee(chat: ChatKey): Promise<string | undefined>;
  /** Assignments of these businesses' chats. */
  assignments(businessIds: number[]): Promise<Array<ChatKey & { login: string }>>;
  assign(chat: ChatKey, login: string | null): Promise<void>;
  /** Assigns only when nobody is; true when `login` holds the chat afterwards. */
  claim(chat: ChatKey, login: string): Promise<boolean>;
  audit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry>;
  auditOf(chat: ChatKey, limit: number): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

const key = (chat: ChatKey) => `${chat.businessId}:${chat.chatId}`;

export class MemoryTeamStore implements TeamStore {
  private readonly assigned = new Map<string, ChatKey & { login: string }>();
  private readonly log: AuditEntry[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  async assignee(chat: ChatKey) {
    return this.assigned.get(key(chat))?.login;
  }

  async assignments(businessIds: number[]) {
    return [...this.assigned.values()].filter((a) => businessIds.includes(a.businessId));
  }

  async assign(chat: ChatKey, login: string | null) {
    if (login === null) this.assigned.delete(key(chat));
    else this.assigned.set(key(chat), { businessId: chat.businessId, chatId: chat.chatId, login });
  }

  async claim(chat: ChatKey, login: string) {
    const holder = this.assigned.get(key(chat))?.login;
    if (holder === undefined) await this.assign(chat, login);
    return (holder ?? login) === login;
  }

  async audit(entry: Omit<AuditEntry, 'id' | 'at'>) {
    const full: AuditEntry = { id: this.log.length + 1, at: new Date(this.now()).toISOString(), ...entry };
    this.log.push(full);
    return full;
  }

  async auditOf(chat: ChatKey, limit: number) {
    return this.log
      .filter((e) => e.businessId === chat.businessId && e.chatId === chat.chatId)
      .slice(-limit)
      .reverse();
  }

  async close() {}
}

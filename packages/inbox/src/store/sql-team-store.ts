/** Assignments and the audit trail in the inbox's tables, shared by every `serve` process on the database. */
import type { Row, Sql } from '@ym-chats/sync';
import type { AuditAction, AuditEntry, TeamStore } from '../team/team-store.js';
import type { ChatKey } from '../types.js';

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

function entryFromRow(r: Row): AuditEntry {
  const entry: AuditEntry = {
    id: Number(r.audit_id),
    at: String(r.at),
    login: String(r.login),
    action: String(r.action) as AuditAction,
  };
  if (r.business_id !== null) entry.businessId = Number(r.business_id);
  if (r.chat_id !== null) entry.chatId = Number(r.chat_id);
  if (r.detail !== null) entry.detail = String(r.detail);
  return entry;
}

export class SqlTeamStore implements TeamStore {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => number = Date.now,
  ) {}

  async assignee(chat: ChatKey) {
    const rows = await this.sql.all(
      'SELECT login FROM inbox_assignments WHERE business_id = ? AND chat_id = ?',
      [chat.businessId, chat.chatId],
    );
    return rows[0] ? String(rows[0].login) : undefined;
  }

  async assignments(businessIds: number[]) {
    if (businessIds.length === 0) return [];
    const rows = await this.sql.all(
      `SELECT business_id, chat_id, login FROM inbox_assignments WHERE business_id IN (${marks(businessIds.length)})`,
      businessIds,
    );
    return rows.map((r) => ({
      businessId: Number(r.business_id),
      chatId: Number(r.chat_id),
      login: String(r.login),
    }));
  }

  async assign(chat: ChatKey, login: string | null) {
    if (login === null) {
      await this.sql.run('DELETE FROM inbox_assignments WHERE business_id = ? AND chat_id = ?', [
        chat.businessId,
        chat.chatId,
      ]);
      return;
    }
    await this.sql.run(
      `INSERT INTO inbox_assignments (business_id, chat_id, login, assigned_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (business_id, chat_id) DO UPDATE SET login = excluded.login, assigned_at = excluded.assigned_at`,
      [chat.businessId, chat.chatId, login, new Date(this.now()).toISOString()],
    );
  }

  async claim(chat: ChatKey, login: string) {
    // One statement, so two agents replying at once cannot both take the chat.
    await this.sql.run(
      `INSERT INTO inbox_assignments (business_id, chat_id, login, assigned_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (business_id, chat_id) DO NOTHING`,
      [chat.businessId, chat.chatId, login, new Date(this.now()).toISOString()],
    );
    return (await this.assignee(chat)) === login;
  }

  async audit(entry: Omit<AuditEntry, 'id' | 'at'>) {
    const rows = await this.sql.all(
      `INSERT INTO inbox_audit (at, login, action, business_id, chat_id, detail) VALUES (?, ?, ?, ?, ?, ?)
       RETURNING audit_id, at, login, action, business_id, chat_id, detail`,
      [
        new Date(this.now()).toISOString(),
        entry.login,
        entry.action,
        entry.businessId ?? null,
        entry.chatId ?? null,
        entry.detail ?? null,
      ],
    );
    return entryFromRow(rows[0]!);
  }

  async auditOf(chat: ChatKey, limit: number) {
    const rows = await this.sql.all(
      `SELECT audit_id, at, login, action, business_id, chat_id, detail FROM inbox_audit
        WHERE business_id = ? AND chat_id = ? ORDER BY audit_id DESC LIMIT ?`,
      [chat.businessId, chat.chatId, limit],
    );
    return rows.map(entryFromRow);
  }

  /** The database belongs to the store's owner. */
  async close() {}
}

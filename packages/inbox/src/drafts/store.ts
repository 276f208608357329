/**
 * The assistant's drafts that wait for a person (`inbox_assistant_drafts`, see migrations.ts), shared by
 * every process on the database: the MCP server adds them, the inbox and `ym-chats mcp approve` decide.
 * Each decision is one statement guarded by the row's state, so two people can never both take a draft.
 */
import type { Row, Sql } from '@ym-chats/sync';
import type { ChatKey } from '../types.js';

export type AssistantDraftState = 'waiting' | 'approved' | 'discarded';

export interface NewAssistantDraft extends ChatKey {
  draftId: string;
  text: string;
  /** The chat's newest message the assistant could read when drafting. */
  seenMessageId: number;
  createdMs: number;
}

export interface AssistantDraft extends NewAssistantDraft {
  state: AssistantDraftState;
  /** Who approved or discarded it. */
  decidedBy?: string;
  decidedMs?: number;
}

const COLUMNS =
  'draft_id, business_id, chat_id, text, seen_message_id, state, created_ms, decided_by, decided_ms';

function draftFromRow(r: Row): AssistantDraft {
  const draft: AssistantDraft = {
    draftId: String(r.draft_id),
    businessId: Number(r.business_id),
    chatId: Number(r.chat_id),
    text: String(r.text),
    seenMessageId: Number(r.seen_message_id),
    state: String(r.state) as AssistantDraftState,
    createdMs: Number(r.created_ms),
  };
  if (r.decided_by !== null && r.decided_by !== undefined) draft.decidedBy = String(r.decided_by);
  if (r.decided_ms !== null && r.decided_ms !== undefined) draft.decidedMs = Number(r.decided_ms);
  return draft;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export class SqlAssistantDrafts {
  constructor(private readonly sql: Sql) {}

  /** Adds a waiting draft; the same id again returns the stored one, a different text under it throws. */
  async add(draft: NewAssistantDraft): Promise<AssistantDraft> {
    await this.sql.run(
      `INSERT INTO inbox_assistant_drafts (draft_id, business_id, chat_id, text, seen_message_id, state, created_ms)
       VALUES (?, ?, ?, ?, ?, 'waiting', ?) ON CONFLICT (draft_id) DO NOTHING`,
      [draft.draftId, draft.businessId, draft.chatId, draft.text, draft.seenMessageId, draft.createdMs],
    );
    const stored = await this.get(draft.draftId);
    if (
      !stored ||
      stored.text !== draft.text ||
      stored.businessId !== draft.businessId ||
      stored.chatId !== draft.chatId
    ) {
      throw new Error(`draft id ${draft.draftId} is taken by another draft`);
    }
    return stored;
  }

  async get(draftId: string): Promise<AssistantDraft | undefined> {
    const rows = await this.sql.all(`SELECT ${COLUMNS} FROM inbox_assistant_drafts WHERE draft_id = ?`, [
      draftId,
    ]);
    return rows[0] ? draftFromRow(rows[0]) : undefined;
  }

  /** Waiting drafts of these businesses (or of one chat among them), oldest first. */
  async waiting(businessIds: readonly number[], chat?: ChatKey, limit = 200): Promise<AssistantDraft[]> {
    if (businessIds.length === 0) return [];
    const oneChat = chat === undefined ? '' : 'AND business_id = ? AND chat_id = ?';
    const rows = await this.sql.all(
      `SELECT ${COLUMNS} FROM inbox_assistant_drafts
        WHERE state = 'waiting' AND business_id IN (${marks(businessIds.length)}) ${oneChat}
        ORDER BY created_ms, draft_id LIMIT ?`,
      [...businessIds, ...(chat === undefined ? [] : [chat.businessId, chat.chatId]), limit],
    );
    return rows.map(draftFromRow);
  }

  /** waiting → approved by `login`; false when someone decided first. */
  async claim(draftId: string, login: string, nowMs: number): Promise<boolean> {
    const changed = await this.sql.run(
      `UPDATE inbox_assistant_drafts SET state = 'approved', decided_by = ?, decided_ms = ?
        WHERE draft_id = ? AND state = 'waiting'`,
      [login, nowMs, draftId],
    );
    return changed === 1;
  }

  /** An approval whose process died before its send began, taken over by `login`; one taker wins. */
  async reclaim(draftId: string, decidedMs: number, login: string, nowMs: number): Promise<boolean> {
    const changed = await this.sql.run(
      `UPDATE inbox_assistant_drafts SET decided_by = ?, decided_ms = ?
        WHERE draft_id = ? AND state = 'approved' AND decided_ms = ?`,
      [login, nowMs, draftId, decidedMs],
    );
    return changed === 1;
  }

  /** approved → waiting again: the send asked a question or was refused before anything reached the API. */
  async reopen(draftId: string, login: string): Promise<void> {
    await this.sql.run(
      `UPDATE inbox_assistant_drafts SET state = 'waiting', decided_by = NULL, decided_ms = NULL
        WHERE draft_id = ? AND state = 'approved' AND decided_by = ?`,
      [draftId, login],
    );
  }

  /** waiting → discarded by `login`; false when someone decided first. */
  async discard(draftId: string, login: string, nowMs: number): Promise<boolean> {
    const changed = await this.sql.run(
      `UPDATE inbox_assistant_drafts SET state = 'discarded', decided_by = ?, decided_ms = ?
        WHERE draft_id = ? AND state = 'waiting'`,
      [login, nowMs, draftId],
    );
    return changed === 1;
  }
}

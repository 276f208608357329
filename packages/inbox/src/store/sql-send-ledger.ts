/**
 * The send ledger in the inbox's table `inbox_sends`, shared by every `serve` process on the database.
 * Each change is one statement guarded by the row's state and owner, so two processes can never both
 * move a row; the partial unique index on a chat's open rows is the per-chat lock (see migrations.ts).
 */
import type { Row, Sql, SqlValue } from '@ym-chats/sync';
import type {
  BeginResult,
  NewSend,
  SendLedgerStore,
  SendRecord,
  SendState,
  Settled,
} from '../reply/ledger.js';
import type { ChatKey } from '../types.js';

const COLUMNS =
  'draft_id, business_id, chat_id, login, page, kind, content, content_sha256, file_size, mark, state, owner, ' +
  'heartbeat_ms, created_ms, settled_ms, error_code, error_message, message_id';

const num = (v: SqlValue | undefined) => (v === null || v === undefined ? undefined : Number(v));
const text = (v: SqlValue | undefined) => (v === null || v === undefined ? undefined : String(v));

function recordFromRow(r: Row): SendRecord {
  const record: SendRecord = {
    draftId: String(r.draft_id),
    businessId: Number(r.business_id),
    chatId: Number(r.chat_id),
    login: String(r.login),
    page: String(r.page),
    kind: String(r.kind) === 'file' ? 'file' : 'text',
    content: String(r.content),
    contentSha256: String(r.content_sha256),
    state: String(r.state) as SendState,
    heartbeatMs: Number(r.heartbeat_ms),
    createdMs: Number(r.created_ms),
  };
  const optional = {
    fileSize: num(r.file_size),
    mark: num(r.mark),
    owner: text(r.owner),
    settledMs: num(r.settled_ms),
    errorCode: text(r.error_code),
    errorMessage: text(r.error_message),
    messageId: num(r.message_id),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(record, { [key]: value });
  }
  return record;
}

export class SqlSendLedger implements SendLedgerStore {
  constructor(private readonly sql: Sql) {}

  async get(draftId: string) {
    const rows = await this.sql.all(`SELECT ${COLUMNS} FROM inbox_sends WHERE draft_id = ?`, [draftId]);
    return rows[0] ? recordFromRow(rows[0]) : undefined;
  }

  async begin(send: NewSend): Promise<BeginResult> {
    // DO NOTHING covers both unique keys (the draft id and the chat's open row) on both engines.
    const inserted = await this.sql.run(
      `INSERT INTO inbox_sends (draft_id, business_id, chat_id, login, page, kind, content, content_sha256,
         file_size, state, owner, heartbeat_ms, created_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'checking', ?, ?, ?) ON CONFLICT DO NOTHING`,
      [
        send.draftId,
        send.businessId,
        send.chatId,
        send.login,
        send.page,
        send.kind,
        send.content,
        send.contentSha256,
        send.fileSize ?? null,
        send.owner,
        send.heartbeatMs,
        send.createdMs,
      ],
    );
    if (inserted === 1) return { begun: true };
    const existing = await this.get(send.draftId);
    if (existing) return { begun: false, existing };
    const busy = await this.sql.all(
      `SELECT ${COLUMNS} FROM inbox_sends
        WHERE business_id = ? AND chat_id = ? AND state IN ('checking', 'pending')`,
      [send.businessId, send.chatId],
    );
    // The holder may have finished between the two statements: the caller simply tries again.
    return busy[0] ? { begun: false, busy: recordFromRow(busy[0]) } : this.begin(send);
  }

  async markPending(draftId: string, owner: string, mark: number) {
    const changed = await this.sql.run(
      `UPDATE inbox_sends SET state = 'pending', mark = ? WHERE draft_id = ? AND state = 'checking' AND owner = ?`,
      [mark, draftId, owner],
    );
    return changed === 1;
  }

  async settle(draftId: string, owner: string, outcome: Settled, nowMs: number) {
    const changed = await this.sql.run(
      `UPDATE inbox_sends SET state = ?, settled_ms = ?, error_code = ?, error_message = ?, message_id = ?
        WHERE draft_id = ? AND state = 'pending' AND owner = ?`,
      [
        outcome.state,
        nowMs,
        outcome.state === 'sent' ? null : outcome.errorCode,
        outcome.state === 'sent' ? null : outcome.errorMessage,
        outcome.state === 'sent' ? (outcome.messageId ?? null) : null,
        draftId,
        owner,
      ],
    );
    return changed === 1;
  }

  async discard(draftId: string, owner: string) {
    await this.sql.run(`DELETE FROM inbox_sends WHERE draft_id = ? AND state = 'checking' AND owner = ?`, [
      draftId,
      owner,
    ]);
  }

  async heartbeat(owner: string, nowMs: number) {
    await this.sql.run(
      `UPDATE inbox_sends SET heartbeat_ms = ? WHERE owner = ? AND state IN ('checking', 'pending')`,
      [nowMs, owner],
    );
  }

  async takeOver(draftId: string, owner: string, heartbeatMs: number, nowMs: number) {
    const changed = await this.sql.run(
      `UPDATE inbox_sends SET owner = ?, heartbeat_ms = ?
        WHERE draft_id = ? AND state IN ('checking', 'pending') AND heartbeat_ms = ?`,
      [owner, nowMs, draftId, heartbeatMs],
    );
    return changed === 1;
  }

  async sentIn(chat: ChatKey, afterMessageId: number) {
    const rows = await this.sql.all(
      `SELECT ${COLUMNS} FROM inbox_sends
        WHERE business_id = ? AND chat_id = ? AND message_id > ? ORDER BY message_id DESC LIMIT 100`,
      [chat.businessId, chat.chatId, afterMessageId],
    );
    return rows.map(recordFromRow);
  }
}

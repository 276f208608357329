/**
 * Who answered: a report's wait is credited to the agent whose inbox send closed it. The send ledger
 * (`inbox_sends`, store/sql-send-ledger.ts) records the platform's message id of each reply sent from the
 * inbox; a closing message it does not hold was sent elsewhere and the report calls it `outside`.
 */
import type { AgentCredit, Sql } from '@ym-chats/sync';

const CHUNK = 500;

/** The credit function `report()` takes, reading the ledger in `sql` (a store the inbox never opened: none). */
export function sendLedgerCredit(sql: Sql): AgentCredit {
  return async (businessId, closing) => {
    const logins = new Map<bigint, string>();
    if (closing.length === 0 || !(await hasLedger(sql))) return logins;
    const wanted = new Set(closing.map((c) => c.messageId));
    const chats = [...new Set(closing.map((c) => c.chatId))];
    // By chat (index inbox_sends_by_chat), then the ids asked for.
    for (let at = 0; at < chats.length; at += CHUNK) {
      const chunk = chats.slice(at, at + CHUNK);
      const rows = await sql.all(
        `SELECT message_id, login FROM inbox_sends
          WHERE business_id = ? AND chat_id IN (${chunk.map(() => '?').join(', ')}) AND message_id IS NOT NULL`,
        [businessId, ...chunk],
      );
      for (const r of rows) {
        const id = BigInt(r.message_id as bigint);
        if (wanted.has(id)) logins.set(id, String(r.login));
      }
    }
    return logins;
  };
}

async function hasLedger(sql: Sql): Promise<boolean> {
  const rows =
    sql.dialect === 'sqlite'
      ? await sql.all("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inbox_sends'")
      : await sql.all(
          "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'inbox_sends'",
        );
  return rows.length > 0;
}

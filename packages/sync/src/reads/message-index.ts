/**
 * The read model's word index offered as candidates to readers with their own matching rule (`ym-chats
 * mcp`'s search_messages): newest first, not answers. A candidate is a message whose text has every word of
 * the query as a word prefix (or a word form, words.ts), a message with files (file names are not indexed), or a message the indexer
 * has not reached yet (its log position is past the saved one), so a lagging index costs a scan of the rest
 * only, never a miss.
 */
import type { Row, Sql, SqlValue } from '../db/sql.js';
import type { SyncStore } from '../store/store.js';
import { READ_MODEL_SUBSCRIBER } from './indexer.js';
import { ftsQuery, matchesAll, searchWords, tsQuery } from './words.js';

export interface IndexedMessage {
  chatId: bigint;
  messageId: bigint;
  sender: string;
  text: string | null;
  createdAt: string;
  files: { name: string; size: number }[];
}

export interface CandidateOptions {
  chatId?: bigint;
  sender?: string;
  /** Only messages older than this one (the previous page's last). */
  beforeMessageId?: bigint;
  limit: number;
}

export class StoreMessageIndex {
  private readonly sql: Sql;

  constructor(private readonly store: SyncStore) {
    this.sql = store.database();
  }

  /**
   * The index's own rule for one text, for a reader that checks candidates (or scans when the index cannot
   * help) itself: every word of the query in the text, as a word prefix or a word form (Snowball stems), so
   * "возврата" matches "возврат" whichever way the reader got the message. A query without words matches
   * nothing here.
   */
  matches(text: string, query: string): boolean {
    const words = searchWords(query);
    return words.length > 0 && matchesAll(text, words);
  }

  /**
   * Up to `limit` candidates for `query`, newest first; undefined when the index cannot help (the read
   * model has never indexed this store, or the query has no words): scan instead.
   */
  async candidates(
    businessId: bigint,
    query: string,
    options: CandidateOptions,
  ): Promise<IndexedMessage[] | undefined> {
    const words = searchWords(query);
    if (words.length === 0) return undefined;
    const indexedUpTo = await this.store.savedPosition(READ_MODEL_SUBSCRIBER);
    if (indexedUpTo === 0n) return undefined;
    const sql = this.sql;
    const where: string[] = ['m.message_id < ?'];
    const tail: SqlValue[] = [options.beforeMessageId ?? 2n ** 63n - 1n];
    if (options.chatId !== undefined) {
      where.push('m.chat_id = ?');
      tail.push(options.chatId);
    }
    if (options.sender !== undefined) {
      where.push('m.sender = ?');
      tail.push(options.sender);
    }
    tail.push(options.limit);
    const byWords =
      sql.dialect === 'sqlite'
        ? {
            text: `SELECT r.message_id FROM search_words s JOIN search_rows r ON r.row_id = s.rowid
                    WHERE search_words MATCH ? AND r.business_id = ?`,
            query: ftsQuery(words),
          }
        : {
            text: `SELECT s.message_id FROM search_words s
                    WHERE s.words @@ ?::tsquery AND s.business_id = ?`,
            query: tsQuery(words),
          };
    const rows = await sql.all(
      `WITH hits (message_id) AS (
         ${byWords.text}
         UNION SELECT f.message_id FROM message_files f WHERE f.business_id = ?
         UNION SELECT e.message_id FROM events e WHERE e.position > ? AND e.business_id = ?)
       SELECT m.chat_id, m.message_id, m.sender, m.text, m.created_at FROM hits h
         JOIN messages m ON m.business_id = ? AND m.message_id = h.message_id
        WHERE ${where.join(' AND ')}
        ORDER BY m.message_id DESC LIMIT ?`,
      [byWords.query, businessId, businessId, indexedUpTo, businessId, businessId, ...tail],
    );
    return withFiles(sql, businessId, rows);
  }
}

async function withFiles(sql: Sql, businessId: bigint, rows: Row[]): Promise<IndexedMessage[]> {
  if (rows.length === 0) return [];
  const files = await sql.all(
    `SELECT message_id, name, size FROM message_files
      WHERE business_id = ? AND message_id IN (${rows.map(() => '?').join(', ')})
      ORDER BY message_id, position`,
    [businessId, ...rows.map((r) => r.message_id!)],
  );
  const byMessage = new Map<string, { name: string; size: number }[]>();
  for (const f of files) {
    const list = byMessage.get(String(f.message_id)) ?? [];
    list.push({ name: String(f.name), size: Number(f.size) });
    byMessage.set(String(f.message_id), list);
  }
  return rows.map((r) => ({
    chatId: BigInt(r.chat_id as bigint),
    messageId: BigInt(r.message_id as bigint),
    sender: String(r.sender),
    text: r.text === null || r.text === undefined ? null : String(r.text),
    createdAt: String(r.created_at),
    files: byMessage.get(String(r.message_id)) ?? [],
  }));
}

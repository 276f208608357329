/**
 * The word search over the read model's index (`search_words`: FTS5 on SQLite, with `search_rows` naming
 * each row's message; tsvector on PostgreSQL). Message texts are read back from `messages`.
 */
import type { Dialect } from '../db/sql.js';
import { marks, type Statement } from './queue.js';
import { ftsQuery, tsQuery } from './words.js';

/** How many of the newest search rows the PostgreSQL search looks through before the word index. */
const RECENT = 5000;

/** The newest messages matching every word (as prefixes) in these businesses. */
export function searchSql(
  dialect: Dialect,
  businessIds: number[],
  words: string[],
  limit: number,
): Statement {
  if (dialect === 'sqlite') {
    return {
      sql: `SELECT r.business_id, r.chat_id, r.message_id, m.text FROM search_words s
              JOIN search_rows r ON r.row_id = s.rowid
              JOIN messages m ON m.business_id = r.business_id AND m.message_id = r.message_id
             WHERE search_words MATCH ? AND r.business_id IN (${marks(businessIds.length)})
             ORDER BY s.rowid DESC LIMIT ?`,
      params: [ftsQuery(words), ...businessIds, limit],
    };
  }
  const query = tsQuery(words);
  if (businessIds.length === 1) {
    // A common phrase matches a good part of the table: the newest hits are among the newest rows, so those
    // are read first, backwards along the primary key (RECENT rows at most). Only when they hold fewer than
    // `limit` hits does the second branch run — every match through the word index (MATERIALIZED keeps the
    // planner from walking the whole table backwards when it misjudges a rare prefix query as common).
    // Each branch's condition is a one-time filter: PostgreSQL never starts the branch it rules out.
    return {
      sql: `WITH recent AS MATERIALIZED (
              SELECT r.business_id, r.chat_id, r.message_id FROM
                (SELECT business_id, chat_id, message_id, words FROM search_words
                  WHERE business_id = ? ORDER BY message_id DESC LIMIT ${RECENT}) r
               WHERE r.words @@ to_tsquery('simple', ?)
               ORDER BY r.message_id DESC LIMIT ?),
            matched AS MATERIALIZED (
              SELECT s.business_id, s.chat_id, s.message_id FROM search_words s
               WHERE s.words @@ to_tsquery('simple', ?) AND s.business_id = ?),
            hits AS (
              SELECT * FROM recent WHERE (SELECT COUNT(*) FROM recent) >= ?
              UNION ALL
              (SELECT * FROM matched WHERE (SELECT COUNT(*) FROM recent) < ? ORDER BY message_id DESC LIMIT ?))
          SELECT h.business_id, h.chat_id, h.message_id, m.text FROM hits h
            JOIN messages m ON m.business_id = h.business_id AND m.message_id = h.message_id
           ORDER BY h.message_id DESC`,
      params: [businessIds[0]!, query, limit, query, businessIds[0]!, limit, limit, limit],
    };
  }
  // Several businesses: every match through the word index first (see above), then the newest, then texts.
  return {
    sql: `WITH matched AS MATERIALIZED (
            SELECT s.business_id, s.chat_id, s.message_id FROM search_words s
             WHERE s.words @@ to_tsquery('simple', ?) AND s.business_id IN (${marks(businessIds.length)}))
          SELECT h.business_id, h.chat_id, h.message_id, m.text FROM
            (SELECT * FROM matched ORDER BY message_id DESC LIMIT ?) h
            JOIN messages m ON m.business_id = h.business_id AND m.message_id = h.message_id
           ORDER BY h.message_id DESC`,
    params: [query, ...businessIds, limit],
  };
}

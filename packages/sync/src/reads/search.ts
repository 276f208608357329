/**
 * The search over the read model: one row per chat. A chat is found by its messages (every query word in
 * one message, as a word prefix or a word form: `search_words`, FTS5 on SQLite with `search_rows` naming
 * each row's message, tsvector on PostgreSQL), by its buyer's name (`search_names`, every query word), or,
 * for a query that is one number, by its chat id, order id or return id. Each row carries why the chat
 * matched (an id or the name, ranked first), its newest matching message and how many messages matched;
 * every row carries the number of chats found.
 *
 * A phrase found in nearly every message would make every search read and group all its hits (0.9 s on
 * SQLite, 3 s on PostgreSQL for a phrase in every one of 100 000 chats). So the text side reads at most
 * the newest SEARCH_HITS_CAP matching messages (index order: newest message id on PostgreSQL, the order
 * messages were indexed on SQLite's FTS5) and the name side at most SEARCH_NAMES_CAP chats: below the caps
 * every figure is exact; at a cap, `capped` says the total is "at least" (the page shows "1000+") and a
 * chat's count is the hits among those read. The page's order is unchanged by the cap: a chat's newest
 * hit is among the newest hits read whenever the chat ranks on a page.
 */
import type { Dialect, SqlValue } from '../db/sql.js';
import { marks, type Statement } from './queue.js';
import { ftsQuery, searchForms, tsQuery } from './words.js';

/** Why a chat matched without a message, best first (the statement's `why`, the reader's name). */
export const MATCHED_BY = { 1: 'chat', 2: 'order', 3: 'return', 4: 'name' } as const;
export type MatchedBy = (typeof MATCHED_BY)[keyof typeof MATCHED_BY];

/** Ids are positive and fit in a bigint column; a longer number is not one. */
const ID = /^[1-9][0-9]{0,17}$/;

/** The most matching messages a search reads (see above); about 1 000 chats for a phrase said twice a chat. */
export const SEARCH_HITS_CAP = 2000;
/** The most chats a search finds by the buyer's name. */
export const SEARCH_NAMES_CAP = 1000;

/** The highest code point: `prefix + TOP` is past every term starting with `prefix`, in byte order. */
const TOP = '\u{10FFFF}';

/**
 * The chats matching `words` (`searchWords`' words) in these businesses, a page of them: id and name
 * matches first, then by newest matching message. Columns: business_id, chat_id, why (1–4, see
 * MATCHED_BY, or null), best (the newest matching message id, or null), n (matching messages), total
 * (chats found), capped (1 when a cap was reached: the total is a lower bound), text (the best message's).
 */
export function searchSql(
  dialect: Dialect,
  businessIds: number[],
  words: string[],
  limit: number,
  offset = 0,
): Statement {
  const found = foundSql(dialect, businessIds, words);
  return {
    sql: `WITH found AS (${found.sql}),
          page AS (
            SELECT f.business_id, f.chat_id, f.why, f.best, f.n, COUNT(*) OVER () AS total,
                   ${CAPPED} AS capped FROM found f
             ORDER BY (f.why IS NULL), f.why, COALESCE(f.best, 0) DESC, f.business_id, f.chat_id DESC
             LIMIT ? OFFSET ?)
          SELECT p.business_id, p.chat_id, p.why, p.best, p.n, p.total, p.capped, m.text FROM page p
            LEFT JOIN messages m ON m.business_id = p.business_id AND m.message_id = p.best
           ORDER BY (p.why IS NULL), p.why, COALESCE(p.best, 0) DESC, p.business_id, p.chat_id DESC`,
    params: [...found.params, limit, offset],
  };
}

/** The number of chats `searchSql` finds, and `capped` (for a page past the end, which carries neither). */
export function searchCountSql(dialect: Dialect, businessIds: number[], words: string[]): Statement {
  const found = foundSql(dialect, businessIds, words);
  return {
    sql: `SELECT COUNT(*) AS total, COALESCE(MAX(c.capped), 0) AS capped FROM
            (SELECT ${CAPPED} AS capped FROM (${found.sql}) f) c`,
    params: found.params,
  };
}

/**
 * 1 when either side found more than its cap (each reads one row past it to know): the figures are then
 * lower bounds. `n` sums to the text hits read, `named` to the chats found by name.
 */
const CAPPED = `CASE WHEN SUM(f.n) OVER () > ${SEARCH_HITS_CAP} OR SUM(f.named) OVER () > ${SEARCH_NAMES_CAP}
                 THEN 1 ELSE 0 END`;

/** One row per matching chat: business_id, chat_id, why, best, n, named (1: found by name). */
function foundSql(dialect: Dialect, businessIds: number[], words: string[]): Statement {
  const inBusinesses = `business_id IN (${marks(businessIds.length)})`;
  const params: SqlValue[] = [];
  // The newest hits first, at most the cap: FTS5 walks its rowids backwards; PostgreSQL its key backwards
  // (or, for a rare phrase, the GIN index and a small sort).
  const hits =
    dialect === 'sqlite'
      ? `SELECT r.business_id, r.chat_id, r.message_id
           FROM search_words s JOIN search_rows r ON r.row_id = s.rowid
          WHERE search_words MATCH ? AND r.${inBusinesses}
          ORDER BY s.rowid DESC LIMIT ${SEARCH_HITS_CAP + 1}`
      : `SELECT s.business_id, s.chat_id, s.message_id
           FROM search_words s
          WHERE s.words @@ ?::tsquery AND s.${inBusinesses}
          ORDER BY s.message_id DESC LIMIT ${SEARCH_HITS_CAP + 1}`;
  const byText = `SELECT business_id, chat_id, MAX(message_id) AS best, COUNT(*) AS n FROM (${hits}) h
                   GROUP BY business_id, chat_id`;
  params.push(dialect === 'sqlite' ? ftsQuery(words) : tsQuery(words), ...businessIds);

  const byChat: string[] = [];
  if (words.length === 1 && ID.test(words[0]!)) {
    const id = BigInt(words[0]!);
    for (const [why, column] of [
      [1, 'chat_id'],
      [2, 'order_id'],
      [3, 'return_id'],
    ] as const) {
      byChat.push(
        `SELECT business_id, chat_id, ${why} AS why, 0 AS named FROM chats WHERE ${inBusinesses} AND ${column} = ?`,
      );
      params.push(...businessIds, id);
    }
  }
  // The name: every query word is (a prefix of) a word of the name or of its stem. One key range per form,
  // joined by UNION (an OR of ranges would read the business's whole name index).
  const perWord = searchForms(words).map((forms, i) => {
    const ranges = forms.map((f) => {
      params.push(...businessIds, f, f + TOP);
      return `SELECT business_id, chat_id FROM search_names WHERE ${inBusinesses} AND term >= ? AND term < ?`;
    });
    return `SELECT business_id, chat_id FROM (${ranges.join(' UNION ')}) w${i}`;
  });
  byChat.push(
    `SELECT business_id, chat_id, 4 AS why, 1 AS named FROM (
       SELECT business_id, chat_id FROM (${perWord.join(' INTERSECT ')}) n LIMIT ${SEARCH_NAMES_CAP + 1}) named`,
  );

  return {
    sql: `SELECT business_id, chat_id, MIN(why) AS why, MAX(best) AS best, SUM(n) AS n, MAX(named) AS named FROM (
            SELECT business_id, chat_id, NULL AS why, best, n, 0 AS named FROM (${byText}) t
            UNION ALL
            SELECT business_id, chat_id, why, NULL AS best, 0 AS n, named FROM (${byChat.join(' UNION ALL ')}) c
          ) hits GROUP BY business_id, chat_id`,
    params,
  };
}

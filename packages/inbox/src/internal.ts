/**
 * `@ym-chats/inbox/internal`: the SQL behind the queue and search, for the benchmarks that time each
 * statement bare beside the endpoint. Not the package's API: it follows the store's tables and changes with
 * them, without notice.
 */
export { chatsSql, queueSql, searchSql } from './store/sql-source.js';
export { searchWords } from './store/words.js';

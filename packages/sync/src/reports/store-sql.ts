/**
 * The store's database for the report's reads. `SyncStore.database()` is where it is handed out; while the
 * read-side move lands, a store without it still has it as `sql`.
 */
import type { Sql } from '../db/sql.js';
import type { SyncStore } from '../store/store.js';

export function storeSql(store: SyncStore): Sql {
  const s = store as unknown as { database?: () => Sql; sql?: Sql };
  const sql = s.database?.() ?? s.sql;
  if (sql === undefined) throw new TypeError('report: not an open SyncStore');
  return sql;
}

/**
 * The buyer-name side of the search index (`search_names`) as the store's writes keep it: imported by the
 * mirror, so it reads nothing of the store's (the indexer, which does, fills the table as messages come).
 */
import type { Sql } from '../db/sql.js';
import { indexTerms } from './words.js';

/** A chat whose buyer name the store's chat row changed from `before` to `after`. */
export interface Renamed {
  chatId: bigint;
  before: string | null;
  after: string | null;
}

/**
 * The name index follows a renamed buyer at once, in the transaction that stores the new name (the mirror's
 * chat upsert calls this), not only when the chat next gets a message: the old name's terms go (exactly
 * those rows, by the table's key), the new name's come. A chat the indexer has not reached yet simply
 * gets its name early; the indexer replaces a touched chat's names whole, so the two never disagree.
 */
export async function renameInIndex(tx: Sql, businessId: bigint, renamed: Renamed[]): Promise<void> {
  // One statement a renamed chat (renames are rare), each row by the table's key.
  for (const r of renamed) {
    const terms = indexTerms(r.before);
    if (terms.length === 0) continue;
    await tx.run(
      `DELETE FROM search_names WHERE business_id = ? AND chat_id = ? AND term IN (${terms.map(() => '?').join(', ')})`,
      [businessId, r.chatId, ...terms],
    );
  }
  const rows = renamed.flatMap((r) => indexTerms(r.after).map((term) => [businessId, r.chatId, term]));
  if (rows.length === 0) return;
  await tx.insertMany(
    'search_names',
    [
      ['business_id', 'bigint'],
      ['chat_id', 'bigint'],
      ['term', 'text'],
    ],
    rows,
    'ON CONFLICT DO NOTHING',
  );
}

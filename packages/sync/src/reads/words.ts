/**
 * Search words as both engines' word indexes and the readers' highlighters see them: letters and digits,
 * lower-cased. Read by the store's search (`search.ts`) and by readers that highlight what it found.
 */
export function searchWords(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, 12);
}

/** FTS5: every word, as a prefix (`"word"*` quoted, so no word is read as an operator). */
export function ftsQuery(words: string[]): string {
  return words.map((w) => `"${w}"*`).join(' ');
}

/** PostgreSQL `to_tsquery('simple', …)`: every word as a prefix; words hold only letters and digits. */
export function tsQuery(words: string[]): string {
  return words.map((w) => `${w}:*`).join(' & ');
}

/**
 * Search words as both engines' word indexes and the readers' highlighters see them: letters and digits,
 * lower-cased, `ё` read as `е`. A word also stands for its Snowball stem (Cyrillic words by the Russian
 * algorithm, Latin ones by the English), so "возврата" finds "возврат" and "returns" finds "return".
 *
 * The stems are computed here, in the process, for both engines — not by PostgreSQL's `russian`/`english`
 * configurations — so SQLite and PostgreSQL index and query the very same lexemes and find the same chats
 * (PostgreSQL's parser would also split words its own way: hosts, e-mails, numbers with dots). The index
 * keeps each word and its stem; a query word matches either as a prefix, so a half-typed word still finds.
 */
import snowball from 'snowball-stemmers';

const RUSSIAN = snowball.newStemmer('russian');
const ENGLISH = snowball.newStemmer('english');
const CYRILLIC = /\p{Script=Cyrillic}/u;
const LATIN = /^[a-z]+$/;

/** Stems of recent words: a store's vocabulary is small beside its message count. */
const STEMS = new Map<string, string>();
const STEMS_KEPT = 50_000;

function normalize(text: string): string {
  return text.toLowerCase().replace(/ё/g, 'е');
}

function tokens(text: string): string[] {
  return normalize(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The word's Snowball stem (the word itself for digits and scripts without a stemmer here). */
export function stem(word: string): string {
  const known = STEMS.get(word);
  if (known !== undefined) return known;
  const stemmed = CYRILLIC.test(word) ? RUSSIAN.stem(word) : LATIN.test(word) ? ENGLISH.stem(word) : word;
  const result = stemmed.length > 0 ? stemmed : word;
  if (STEMS.size >= STEMS_KEPT) STEMS.clear();
  STEMS.set(word, result);
  return result;
}

/** The words of a query, each once, at most 12. */
export function searchWords(query: string): string[] {
  return [...new Set(tokens(query))].slice(0, 12);
}

/** What the index keeps for a text: each word and its stem, each once. */
export function indexTerms(text: string | null | undefined): string[] {
  if (!text) return [];
  const terms = new Set<string>();
  for (const word of tokens(text)) {
    terms.add(word);
    terms.add(stem(word));
  }
  return [...terms];
}

/** Each query word's alternatives: the word and its stem (once when equal). */
export function searchForms(words: string[]): string[][] {
  return words.map((w) => [...new Set([w, stem(w)])]);
}

/** FTS5: every word, as its form or its stem, as a prefix (quoted, so no word is read as an operator). */
export function ftsQuery(words: string[]): string {
  return searchForms(words)
    .map((f) => (f.length === 1 ? `"${f[0]}"*` : `(${f.map((x) => `"${x}"*`).join(' OR ')})`))
    .join(' AND ');
}

/**
 * PostgreSQL: the same as a `tsquery` literal (cast with `::tsquery`, so no text search configuration
 * touches it); words hold only letters and digits, quoted all the same.
 */
export function tsQuery(words: string[]): string {
  return searchForms(words)
    .map((f) => `(${f.map((x) => `'${x}':*`).join(' | ')})`)
    .join(' & ');
}

/** PostgreSQL: index terms as a `tsvector` literal (its lexemes taken as they are). */
export function tsVector(terms: string[]): string {
  return terms.map((t) => `'${t}'`).join(' ');
}

/**
 * For highlighting: a matcher telling, for a word of a text, how many of its leading characters to mark
 * (0 when it does not match): the query word's length for a prefix match, the whole word for a word form.
 */
export function wordMatcher(words: string[]): (word: string) => number {
  const alternatives = searchForms(words);
  return (word) => {
    const w = normalize(word);
    let best = 0;
    for (const [form, ...stems] of alternatives) {
      if (w.startsWith(form!)) best = Math.max(best, form!.length);
      else if ([form!, ...stems].some((x) => stem(w).startsWith(x))) best = word.length;
    }
    return best;
  };
}

/** Every query word matches a word of `text` (as a prefix or a word form): the index's rule, in memory. */
export function matchesAll(text: string, words: string[]): boolean {
  const terms = indexTerms(text);
  return searchForms(words).every((f) => f.some((x) => terms.some((t) => t.startsWith(x))));
}

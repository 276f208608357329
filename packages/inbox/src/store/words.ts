// The words are the store's (its search index reads them the same way); the page highlights them here.
import { wordMatcher } from '@ym-chats/sync';

export { searchWords } from '@ym-chats/sync';

/**
 * Where the words are in `text` (a prefix match marks the prefix, a word form the whole word; the store's
 * rule, `wordMatcher`), as [start, end) ranges for the page to highlight; the text itself stays plain.
 */
export function highlightRanges(text: string, words: string[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const matched = wordMatcher(words);
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const length = matched(match[0]);
    if (length > 0) ranges.push([match.index, match.index + length]);
  }
  return ranges;
}

/** A long message cut to a window around its first hit, with the ranges moved to match. */
export function snippet(
  text: string,
  ranges: Array<[number, number]>,
  width = 240,
): { text: string; ranges: Array<[number, number]> } {
  if (text.length <= width) return { text, ranges };
  const first = ranges[0]?.[0] ?? 0;
  let start = Math.max(0, first - Math.floor(width / 3));
  // Never cut an emoji (a surrogate pair) in half.
  if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start] ?? '')) start -= 1;
  let end = Math.min(text.length, start + width);
  if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end -= 1;
  const prefix = start > 0 ? '…' : '';
  const shift = prefix.length - start;
  return {
    text: `${prefix}${text.slice(start, end)}${end < text.length ? '…' : ''}`,
    ranges: ranges.filter(([a, b]) => a >= start && b <= end).map(([a, b]) => [a + shift, b + shift]),
  };
}

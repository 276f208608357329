// The words are the store's (its search index reads them the same way); the page highlights them here.
export { searchWords } from '@ym-chats/sync';

/**
 * Where the words start in `text` (prefix matches at a word start, case-insensitive), as [start, end)
 * ranges for the page to highlight; the text itself stays plain.
 */
export function highlightRanges(text: string, words: string[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const lower = text.toLowerCase();
  for (const match of lower.matchAll(/[\p{L}\p{N}]+/gu)) {
    const token = match[0];
    const start = match.index;
    const word = words.find((w) => token.startsWith(w));
    if (word) ranges.push([start, start + word.length]);
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

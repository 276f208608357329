/**
 * Rules the page and the server both apply, in a module with no Node imports so the browser bundle can
 * include it. The numbers are the SDK's (a test keeps them equal); the SDK itself is not bundled for the
 * browser.
 */

/** The platform counts UTF-16 code units, as JavaScript's `length` does: an emoji is 2. */
export const MESSAGE_MAX_LENGTH = 4096;
export const FILE_MAX_BYTES = 5 * 1024 * 1024;

export function messageLength(text: string): number {
  return text.length;
}

export type TextProblem = 'empty' | 'too_long' | 'broken';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function textProblem(text: string): TextProblem | undefined {
  if (text.length === 0) return 'empty';
  if (text.length > MESSAGE_MAX_LENGTH) return 'too_long';
  if (LONE_SURROGATE.test(text)) return 'broken';
  return undefined;
}

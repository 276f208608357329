/**
 * Text that came from the API (buyer messages, customer and file names, anything the platform echoes) is
 * shown to a person's terminal, which obeys control characters: ESC sequences clear the screen, set the
 * window title, recolour or hide text, and OSC 8 turns text into links; a lone CR or a bidi override
 * rewrites what is on the line. Human output therefore shows every such character as a visible stand-in
 * and never passes one through. `--json` output does not come here: it stays byte-exact.
 */

// C0 controls except tab and line feed, DEL, C1 controls (0x9b is a one-byte CSI), and the Unicode
// characters that reorder or hide text (bidi embeddings, overrides and isolates; line/paragraph separators).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this module's job
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function standIn(ch: string): string {
  const code = ch.codePointAt(0)!;
  // U+2400 "Control Pictures": ␛ for ESC, ␇ for BEL, ␍ for CR; ␡ for DEL.
  if (code < 0x20) return String.fromCodePoint(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** One line or a block of API text, safe to print; tabs and line feeds are kept. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, standIn);
}

/** For single-line places (table cells, headers): line breaks become visible too. */
export function safeLine(text: string): string {
  return safeText(text).replace(/\n/g, '\u2424').replace(/\t/g, ' ');
}

const MASK = '[REDACTED]';

/** Credentials shorter than this are refused: they cannot be masked without masking ordinary words. */
export const MIN_CREDENTIAL_LENGTH = 12;
/** Any run of this many characters of a credential is masked, so a key cut in half by a proxy or a page
 * excerpt leaks no usable part either. */
const FRAGMENT = 8;

/**
 * Remembers the credentials a client has used and masks them, whole or in part, in any text leaving the
 * SDK (error messages, causes, log lines), so a token echoed by a proxy or pasted into a URL cannot leak
 * through us. Masking always happens before any text is cut short.
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  /** Every FRAGMENT-long slice of every secret. */
  readonly #fragments = new Set<string>();
  #longest = 0;

  add(secret: string | undefined): void {
    if (!secret || secret.length < FRAGMENT || this.#secrets.has(secret)) return;
    this.#secrets.add(secret);
    this.#longest = Math.max(this.#longest, secret.length);
    for (let i = 0; i + FRAGMENT <= secret.length; i++) this.#fragments.add(secret.slice(i, i + FRAGMENT));
  }

  text(value: string): string {
    if (this.#fragments.size === 0 || value.length < FRAGMENT) return value;
    let out = '';
    let copied = 0;
    let i = 0;
    while (i + FRAGMENT <= value.length) {
      if (!this.#fragments.has(value.slice(i, i + FRAGMENT))) {
        i++;
        continue;
      }
      // Extend the masked run while the next window is still part of a secret.
      let end = i + FRAGMENT;
      while (end < value.length && this.#fragments.has(value.slice(end - FRAGMENT + 1, end + 1))) end++;
      out += value.slice(copied, i) + MASK;
      copied = end;
      i = end;
    }
    return copied === 0 ? value : out + value.slice(copied);
  }

  /** The start of a text for a message: masked first, then cut to `max` characters. */
  excerpt(value: string, max: number): string {
    // Only the head can show up; a secret straddling the cut is masked because it is looked at whole.
    const masked = this.text(value.slice(0, max + this.#longest));
    return masked.length > max ? `${masked.slice(0, max)}…` : masked;
  }

  /** A copy of a thrown value that is safe to attach as `cause`: name, code and a masked message only. */
  cause(error: unknown): Error {
    if (!(error instanceof Error)) return new Error(this.text(String(error)));
    const copy = new Error(this.text(error.message));
    copy.name = error.name;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') Object.assign(copy, { code: this.text(code) });
    copy.stack = `${copy.name}: ${copy.message}`;
    return copy;
  }
}

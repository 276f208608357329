const MASK = '[REDACTED]';

/**
 * Remembers the credentials a client has used and masks them in any text leaving the SDK (error messages,
 * log lines), so a token echoed by a proxy or pasted into a URL cannot leak through us.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short values would mask ordinary words; real keys and tokens are long.
    if (secret && secret.length >= 6) this.secrets.add(secret);
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }

  /** A copy of a thrown value that is safe to attach as `cause`: name, code and a masked message only. */
  cause(error: unknown): Error {
    if (!(error instanceof Error)) return new Error(this.text(String(error)));
    const copy = new Error(this.text(error.message));
    copy.name = error.name;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') Object.assign(copy, { code });
    copy.stack = `${copy.name}: ${copy.message}`;
    return copy;
  }
}

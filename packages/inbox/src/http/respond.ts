/**
 * What every answer of the inbox shares: the security headers, the error type routes throw and the JSON
 * error envelope (`{error: {code, message}}`) the page reads. Fastify writes the answers (`app.ts` maps
 * every error to the envelope); bodies are parsed by Fastify's parsers and cookies by `@fastify/cookie`.
 */

/**
 * Only the page's own files: no inline script or style, no third-party origin, no framing. Images come
 * from the inbox itself (attachments go through its proxy) or from `blob:` previews of a file being attached.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The envelope of every error answer. */
export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

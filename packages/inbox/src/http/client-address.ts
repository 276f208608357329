import type { IncomingMessage } from 'node:http';

/**
 * Who is on the other end, for the login limiter and the same-origin check. Behind a TLS-terminating proxy
 * (`trustProxy`), the proxy's `X-Forwarded-For` and `X-Forwarded-Host` say it; otherwise they are
 * ignored, since any client can send them.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') {
    // The proxy appends the address it saw; earlier entries come from the client and prove nothing.
    const last = forwarded.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? '';
}

export function requestHost(req: IncomingMessage, trustProxy: boolean): string | undefined {
  const forwarded = req.headers['x-forwarded-host'];
  if (trustProxy && typeof forwarded === 'string' && forwarded) return forwarded.split(',').at(-1)!.trim();
  return req.headers.host;
}

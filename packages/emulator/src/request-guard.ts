/**
 * What keeps a web page the developer happens to open away from the emulator. Browsers let any page send
 * "simple" cross-site requests (text/plain or form POSTs, no custom headers) and let a rebinding domain
 * resolve to 127.0.0.1; the emulator answers neither:
 * - `Host` must be an IP literal, `localhost` (or `*.localhost`) or a name the operator allowed, so a
 *   rebound domain name is refused before anything runs (the API and the admin namespace alike);
 * - admin requests carrying a foreign `Origin` (or `Sec-Fetch-Site: cross-site`) are refused;
 * - admin writes must be `application/json`, which a page can only send after a CORS preflight that the
 *   emulator never grants;
 * - with an admin token configured (required for a non-loopback bind) every admin request must carry it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { type ApiError, apiError } from './errors.js';
import { header } from './validate.js';

export const ADMIN_TOKEN_HEADER = 'x-emulator-admin-token';
export const ADMIN_TOKEN_ENV = 'YM_EMULATOR_ADMIN_TOKEN';

/** The host name of a `Host` header value (`[::1]:8080` → `::1`), lower-cased; undefined if malformed. */
export function hostName(value: string): string | undefined {
  try {
    const name = new URL(`http://${value}`).hostname.toLowerCase();
    return name.startsWith('[') ? name.slice(1, -1) : name;
  } catch {
    return undefined;
  }
}

/** Names that always mean this machine. */
export function isLoopbackName(name: string): boolean {
  const n = name.toLowerCase().replace(/^\[|\]$/g, '');
  if (n === 'localhost' || n.endsWith('.localhost') || n === '::1') return true;
  return isIP(n) === 4 && n.startsWith('127.');
}

export class RequestGuard {
  private readonly allowed: Set<string>;

  constructor(
    allowedHosts: readonly string[],
    private readonly adminToken: string | undefined,
  ) {
    this.allowed = new Set(allowedHosts.map((h) => hostName(h) ?? h.toLowerCase()));
  }

  get hasAdminToken(): boolean {
    return this.adminToken !== undefined;
  }

  /** Every request: IP literals cannot be rebound, so only names need to be known. */
  checkHost(headers: IncomingHttpHeaders): ApiError | undefined {
    const raw = headers.host;
    if (raw === undefined) return undefined;
    const name = hostName(raw);
    if (name !== undefined && (isIP(name) !== 0 || isLoopbackName(name) || this.allowed.has(name)))
      return undefined;
    return apiError(
      403,
      'FORBIDDEN',
      `Host "${raw}" is not allowed: the emulator answers IP addresses, localhost and the names it was ` +
        'given (a page on another site may be reaching it through DNS rebinding). To use this name, ' +
        'start it with allowedHosts / --allow-host.',
    );
  }

  /** Admin requests: same-origin only, JSON writes, and the token when one is configured. */
  checkAdmin(
    method: string,
    headers: IncomingHttpHeaders,
    options: { tokenExempt: boolean },
  ): ApiError | undefined {
    const origin = header(headers, 'origin');
    if (origin !== undefined && !sameOrigin(origin, headers.host))
      return apiError(403, 'FORBIDDEN', `Origin "${origin}" may not use the admin namespace`);
    if (header(headers, 'sec-fetch-site') === 'cross-site')
      return apiError(403, 'FORBIDDEN', 'a cross-site request may not use the admin namespace');
    if (method === 'POST' || method === 'PATCH') {
      const type = header(headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json')
        return apiError(
          415,
          'BAD_REQUEST',
          `Content-Type: admin writes must be application/json, got ${type ? `"${type}"` : 'none'}`,
        );
    }
    if (this.adminToken !== undefined && !options.tokenExempt) {
      const given = header(headers, ADMIN_TOKEN_HEADER);
      if (given === undefined || !sameSecret(given, this.adminToken))
        return apiError(
          401,
          'UNAUTHORIZED',
          `${given === undefined ? 'missing' : 'wrong'} X-Emulator-Admin-Token: this emulator's admin namespace needs its admin token`,
        );
    }
    return undefined;
  }
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() === new URL(`http://${host}`).host.toLowerCase();
  } catch {
    return false; // "null" and other opaque origins
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

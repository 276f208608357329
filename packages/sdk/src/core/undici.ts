/**
 * The steady-state transport: undici's `request`, which costs less per call than node:http. Loaded only
 * once a client has made a few calls (see `transport.ts`), so a cold start never pays for it.
 */
import { Agent, request } from 'undici';
// Types only: a runtime import would make the bundler split shared code into a chunk every import loads.
import type { HttpRequest, HttpResponse, Transport, withTimer } from './http.js';

export interface UndiciHelpers {
  withTimer: typeof withTimer;
  timeout: (message: string) => Error;
}

const UNDICI_TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * undici's own per-request timeouts cost less than an AbortController and a timer per call, but tick
 * about every half second; below this a precise timer of our own is worth its cost.
 */
const COARSE_TIMEOUT_MIN_MS = 5_000;

export function undiciTransport(
  helpers: UndiciHelpers,
  dispatcher = new Agent({ keepAliveTimeout: 4_000 }),
): Transport {
  const coarse = async (req: HttpRequest): Promise<HttpResponse> => {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      dispatcher,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const text = await res.body.text();
    const headers = res.headers;
    return {
      status: res.statusCode,
      header(name) {
        const value = headers[name];
        return Array.isArray(value) ? value[0] : value;
      },
      text,
    };
  };
  return async (req) => {
    if (req.timeoutMs >= COARSE_TIMEOUT_MIN_MS) {
      try {
        return await coarse(req);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && UNDICI_TIMEOUTS.has(code)) throw helpers.timeout(code);
        throw error;
      }
    }
    return helpers.withTimer(req, (signal) => coarse({ ...req, signal, timeoutMs: 0 }));
  };
}

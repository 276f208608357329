export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  /** The caller's signal, if any. */
  signal: AbortSignal | undefined;
  /** Give up when no response (or no further body bytes) arrives for this long. */
  timeoutMs: number;
}

/** Thrown by a transport whose request ran out of time. */
export class TransportTimeout extends Error {
  override name = 'TransportTimeout';
}

export interface HttpResponse {
  status: number;
  /** Lower-case header name → value. */
  header(name: string): string | undefined;
  text: string;
}

/** Sends one HTTP request. The default is `nodeHttpTransport` (node-http.ts); `fetch` can replace it. */
export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string | Uint8Array<ArrayBuffer>;
    signal: AbortSignal;
  },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/** Runs `send` with a signal that fires on the caller's abort or after exactly `timeoutMs`. */
export async function withTimer<T>(req: HttpRequest, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, req.timeoutMs);
  const onAbort = () => controller.abort();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await send(controller.signal);
  } catch (error) {
    if (timedOut) throw new TransportTimeout(`no response within ${req.timeoutMs} ms`);
    throw error;
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}

export function fetchTransport(fetchFn: FetchLike): Transport {
  return (req) =>
    withTimer(req, async (signal) => {
      const init = { method: req.method, headers: req.headers, signal };
      const res = await fetchFn(req.url, req.body === undefined ? init : { ...init, body: req.body });
      const text = await res.text();
      return { status: res.status, header: (name: string) => res.headers.get(name) ?? undefined, text };
    });
}

/**
 * Error codes meaning the request never left this machine: repeating it cannot deliver anything twice.
 * Only failures that happen before a connection exists qualify; EHOSTUNREACH and the like can also hit an
 * open socket after the request was written, so they stay ambiguous.
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** Codes for a request Node or undici refused to build (a bad header value, say): nothing was sent. */
const UNBUILDABLE_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_INVALID_URL',
  'ERR_UNESCAPED_CHARACTERS',
]);

export function unbuildable(code: string | undefined): boolean {
  return code !== undefined && UNBUILDABLE_CODES.has(code);
}

/** The system error code of a network failure, looking through fetch's `cause` wrapping. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return code;
    current = current.cause;
  }
  return undefined;
}

export function provablyNotSent(error: unknown): boolean {
  const code = networkErrorCode(error);
  return code !== undefined && NOT_SENT_CODES.has(code);
}

import { Agent, request } from 'undici';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header name → value. */
  header(name: string): string | undefined;
  text: string;
}

/** Sends one HTTP request. The default uses undici's `request`, which costs far less per call than `fetch`. */
export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | Uint8Array<ArrayBuffer>; signal: AbortSignal },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export function undiciTransport(dispatcher = new Agent({ keepAliveTimeout: 4_000 })): Transport {
  return async (req) => {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      dispatcher,
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
}

export function fetchTransport(fetchFn: FetchLike): Transport {
  return async (req) => {
    const init = { method: req.method, headers: req.headers, signal: req.signal };
    const res = await fetchFn(req.url, req.body === undefined ? init : { ...init, body: req.body });
    const text = await res.text();
    return { status: res.status, header: (name) => res.headers.get(name) ?? undefined, text };
  };
}

/** Error codes meaning the request never left this machine: repeating it cannot deliver anything twice. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

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

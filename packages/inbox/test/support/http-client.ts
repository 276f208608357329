/** A cookie-keeping HTTP client for the inbox's API, as a browser page would talk to it. */
export class PageClient {
  /** The browser's cookies by name (paths are not kept: every request carries all of them). */
  readonly cookies = new Map<string, string>();
  csrf = '';

  /** The same browser session talking to another server (another process on the same database). */
  at(base: string): PageClient {
    const copy = new PageClient(base);
    for (const [name, value] of this.cookies) copy.cookies.set(name, value);
    copy.csrf = this.csrf;
    return copy;
  }

  /** The session cookie's value (tests look for it where it must never appear). */
  get sessionId(): string {
    return this.cookies.get('ymc_session') ?? '';
  }

  constructor(readonly base: string) {}

  async request(
    method: string,
    path: string,
    init: { body?: BodyInit; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: init.body ?? null,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
    return response;
  }

  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const h: Record<string, string> = { ...headers };
    if (method !== 'GET' && this.csrf && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    if (body !== undefined) h['content-type'] = 'application/json';
    const init: { body?: BodyInit; headers: Record<string, string> } = { headers: h };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await this.request(method, path, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  /** Opens the session (anonymous or, for the local user, logged in) and keeps its CSRF token. */
  async start() {
    const r = await this.json<{ csrf: string; agent: unknown }>('GET', '/api/session');
    this.csrf = r.body.csrf;
    return r;
  }

  async login(login: string, password: string) {
    await this.start();
    const r = await this.json<{ csrf: string }>('POST', '/api/login', { login, password });
    if (r.status !== 200) throw new Error(`login ${login} failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrf = r.body.csrf;
    return r;
  }
}

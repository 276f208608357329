/** A cookie-keeping client of the inbox's API, sending the CSRF token as the page does. */
export class InboxPage {
  private cookie = '';
  private csrf = '';

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return this.cookie;
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    const parsed = (await response.json()) as T & { csrf?: string };
    if (typeof parsed.csrf === 'string') this.csrf = parsed.csrf;
    return { status: response.status, body: parsed };
  }

  /** An attachment through the inbox's proxy: its status, and the body when it is not a 200. */
  async download(businessId: number, chatId: number, url: string) {
    const response = await fetch(
      `${this.base}/api/businesses/${businessId}/chats/${chatId}/file?url=${encodeURIComponent(url)}`,
      { headers: { cookie: this.cookie } },
    );
    const body = await response.text();
    return { status: response.status, body: response.status === 200 ? '' : body };
  }

  /** A reply as the page sends it, having shown the chat's newest message (so nobody replied meanwhile). */
  async reply(businessId: number, chatId: number, text: string, clientId: string) {
    const path = `/api/businesses/${businessId}/chats/${chatId}`;
    const shown = await this.call<{ messages?: Array<{ messageId: number }> }>('GET', `${path}/messages`);
    const seenMessageId = shown.body.messages?.at(-1)?.messageId ?? 0;
    return this.call<{ state?: string; messageId?: number; error?: { code: string; message: string } }>(
      'POST',
      `${path}/messages`,
      { text, clientId, page: 'workers-test-page', seenMessageId },
    );
  }
}

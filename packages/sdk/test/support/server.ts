import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Reply =
  | { status?: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | 'drop'
  | ((req: Recorded, res: ServerResponse) => void);

/**
 * A real HTTP server for SDK unit tests: records every request and answers from a script of replies
 * (the last reply repeats). Lets a test shape exact statuses, headers and failures.
 */
export class ScriptedServer {
  readonly requests: Recorded[] = [];
  private replies: Reply[] = [];
  private readonly server = createServer((req, res) => this.handle(req, res));
  url = '';

  static async start(): Promise<ScriptedServer> {
    const s = new ScriptedServer();
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  reply(...replies: Reply[]): this {
    this.replies = replies;
    this.requests.length = 0;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      this.requests.push(recorded);
      const reply =
        this.replies.length > 1 ? this.replies.shift()! : (this.replies[0] ?? { body: { status: 'OK' } });
      if (reply === 'drop') {
        req.socket.destroy();
        return;
      }
      if (typeof reply === 'function') {
        reply(recorded, res);
        return;
      }
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body === undefined ? '{"status":"OK"}' : JSON.stringify(reply.body));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  }
}

/** Part names of a multipart body with their file names and sizes, parsed independently of the SDK. */
export function multipartParts(
  req: Recorded,
): Map<string, { filename: string | undefined; contentType: string | undefined; data: Buffer }> {
  const type = String(req.headers['content-type'] ?? '');
  const boundary = /boundary=(.+)$/.exec(type)?.[1];
  const parts = new Map<
    string,
    { filename: string | undefined; contentType: string | undefined; data: Buffer }
  >();
  if (!boundary) return parts;
  const text = req.body.toString('latin1');
  for (const raw of text.split(`--${boundary}`).slice(1, -1)) {
    const [head = '', ...rest] = raw.replace(/^\r\n/, '').split('\r\n\r\n');
    const bodyText = rest.join('\r\n\r\n').replace(/\r\n$/, '');
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const star = /filename\*=UTF-8''([^;\r\n]+)/.exec(head)?.[1];
    const plain = /filename="([^"]*)"/.exec(head)?.[1];
    parts.set(name, {
      filename: star ? decodeURIComponent(star) : plain,
      contentType: /Content-Type: ([^\r\n]+)/i.exec(head)?.[1],
      data: Buffer.from(bodyText, 'latin1'),
    });
  }
  return parts;
}

import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The page's files, bundled by esbuild into `dist/client` at build time and served from memory with
 * precomputed brotli/gzip variants: nothing comes from a CDN, so the page works offline. `app.ts` makes each
 * file and each client-side route (`/`, `/login`, `/chats/…`) a route that answers through `serve`.
 */
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
};

interface Asset {
  type: string;
  raw: Buffer;
  br: Buffer;
  gzip: Buffer;
  etag: string;
}

/** `dist/client` of this package, from the sources (src/http) or from the bundle (dist/index.js). */
export const CLIENT_DIR =
  ['../../dist/client/', '../dist/client/', './client/']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((dir) => existsSync(`${dir}app.js`)) ??
  fileURLToPath(new URL('../../dist/client/', import.meta.url));
export const CLIENT_FILES = ['app.js', 'app.css', 'favicon.svg'] as const;

function asset(type: string, raw: Buffer, etag: string): Asset {
  return {
    type,
    raw,
    br: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    gzip: gzipSync(raw, { level: 9 }),
    etag,
  };
}

/** The HTML shell: no inline script or style, just the two bundled files and the tab's icon. */
export function shell(version: string): string {
  return [
    '<!doctype html>',
    '<html lang="ru">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>ym-chats</title>',
    `<link rel="icon" type="image/svg+xml" href="/assets/favicon.svg?v=${version}">`,
    `<link rel="stylesheet" href="/assets/app.css?v=${version}">`,
    `<script type="module" src="/assets/app.js?v=${version}"></script>`,
    '</head>',
    '<body><div id="app"></div></body>',
    '</html>',
  ].join('\n');
}

export class StaticAssets {
  private readonly assets = new Map<string, Asset>();
  readonly version: string;

  constructor(dir = CLIENT_DIR) {
    let version = '';
    for (const name of CLIENT_FILES) {
      const path = `${dir}${name}`;
      let raw: Buffer;
      try {
        raw = readFileSync(path);
      } catch {
        throw new Error(
          `the inbox page is not built (${path} is missing): run npm run build -w packages/inbox`,
        );
      }
      const etag = `"${statSync(path).mtimeMs.toString(36)}-${raw.length.toString(36)}"`;
      version += etag.replace(/\W/g, '');
      this.assets.set(`/assets/${name}`, asset(TYPES[name.slice(name.lastIndexOf('.'))]!, raw, etag));
    }
    this.version = version.slice(0, 16);
    this.assets.set('/', asset(TYPES['.html']!, Buffer.from(shell(this.version)), `"${this.version}"`));
  }

  /** The bundled files' paths (`/assets/…`), each a route of the app. */
  get files(): string[] {
    return [...this.assets.keys()].filter((path) => path !== '/');
  }

  /** The file at `path`, or the page shell (every client-side route is the shell). */
  serve(request: FastifyRequest, reply: FastifyReply, path: string): FastifyReply {
    const found = this.assets.get(path) ?? this.assets.get('/')!;
    const accept = String(request.headers['accept-encoding'] ?? '');
    const headers: Record<string, string> = {
      'Content-Type': found.type,
      ETag: found.etag,
      Vary: 'Accept-Encoding',
      'Cache-Control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    if (request.headers['if-none-match'] === found.etag) return reply.code(304).headers(headers).send();
    let body = found.raw;
    if (/\bbr\b/.test(accept)) {
      body = found.br;
      headers['Content-Encoding'] = 'br';
    } else if (/\bgzip\b/.test(accept)) {
      body = found.gzip;
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = String(body.length);
    return reply
      .code(200)
      .headers(headers)
      .send(request.method === 'HEAD' ? undefined : body);
  }
}

import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FileView } from '../types.js';

/**
 * Fetches an attachment of a chat of `businessId` with that business's credential; the credential never
 * leaves the server. The business id matters when one inbox serves businesses with different credentials.
 */
export type FileFetcher = (url: string, signal: AbortSignal, businessId: number) => Promise<Response>;

export interface FileCredential {
  apiKey?: string | undefined;
  accessToken?: string | undefined;
}

export interface CredentialFetcherOptions extends FileCredential {
  /** The credential per business, looked up for each download (instead of one `apiKey`/`accessToken`). */
  credentialFor?: (businessId: number) => Promise<FileCredential>;
  /** Origins the credential may be sent to (the API's, and the platform's file host). */
  allowedOrigins: string[];
}

export function credentialFetcher(options: CredentialFetcherOptions): FileFetcher {
  const allowed = new Set(options.allowedOrigins.map((o) => new URL(o).origin));
  return async (url, signal, businessId) => {
    const target = new URL(url);
    if (!allowed.has(target.origin)) throw new Error(`attachment host ${target.origin} is not allowed`);
    const credential = options.credentialFor ? await options.credentialFor(businessId) : options;
    const headers: Record<string, string> = {};
    if (credential.apiKey) headers['Api-Key'] = credential.apiKey;
    if (credential.accessToken) headers.Authorization = `Bearer ${credential.accessToken}`;
    // A redirect could carry the credential elsewhere: refuse it.
    return fetch(target, { headers, signal, redirect: 'error' });
  };
}

/** Images the page may show inline; anything else is a download with an inert type. */
const INLINE: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

export function isInlineImage(name: string): boolean {
  return extension(name) in INLINE;
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'file';
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name || 'file')}`;
}

export async function proxyFile(
  res: ServerResponse,
  file: FileView,
  fetcher: FileFetcher,
  businessId: number,
): Promise<void> {
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  // A file host that stops answering must not hold the connection forever.
  const upstream = await fetcher(
    file.url,
    AbortSignal.any([controller.signal, AbortSignal.timeout(60_000)]),
    businessId,
  );
  if (!upstream.ok || !upstream.body) {
    res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`the file could not be fetched (HTTP ${upstream.status})`);
    return;
  }
  const image = INLINE[extension(file.name)];
  const headers: Record<string, string> = {
    'Content-Type': image ?? 'application/octet-stream',
    'Content-Disposition': contentDisposition(image ? 'inline' : 'attachment', file.name),
    'Cache-Control': 'private, max-age=3600',
    // Whatever the bytes are, they never run as a page of this origin.
    'Content-Security-Policy': "default-src 'none'; sandbox",
  };
  const length = upstream.headers.get('content-length');
  if (length) headers['Content-Length'] = length;
  res.writeHead(200, headers);
  Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>)
    .on('error', () => res.destroy())
    .pipe(res);
}

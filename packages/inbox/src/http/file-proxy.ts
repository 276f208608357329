import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FastifyReply } from 'fastify';
import type { FileView } from '../types.js';
import { NotServedError, notServedReply } from './not-served.js';
import { HttpError } from './respond.js';

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
  /**
   * The credential per business, looked up for each download (instead of one `apiKey`/`accessToken`);
   * `undefined` when the business has none (any more): the download is refused as not served (403).
   */
  credentialFor?: (businessId: number) => Promise<FileCredential | undefined>;
  /** Origins the credential may be sent to (the API's, and the platform's file host). */
  allowedOrigins: string[];
}

/**
 * The attachment's URL names a host the credential may not go to. A fetcher throws it to refuse; the
 * proxy answers 502 with its message (the stored link is what is wrong, not the page's request).
 */
export class FileHostError extends Error {
  override name = 'FileHostError';
}

export function credentialFetcher(options: CredentialFetcherOptions): FileFetcher {
  const allowed = new Set(options.allowedOrigins.map((o) => new URL(o).origin));
  return async (url, signal, businessId) => {
    const target = new URL(url);
    if (!allowed.has(target.origin)) {
      throw new FileHostError(
        `attachment host ${target.host} is not the platform's file host, so the file is not fetched ` +
          "with the seller's credential",
      );
    }
    const credential = options.credentialFor ? await options.credentialFor(businessId) : options;
    if (credential === undefined) throw new NotServedError(businessId);
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

/** Streams the attachment from the file host to the page (Fastify pipes it and ends on its errors). */
export async function proxyFile(
  reply: FastifyReply,
  file: FileView,
  fetcher: FileFetcher,
  businessId: number,
): Promise<FastifyReply | undefined> {
  const controller = new AbortController();
  reply.raw.on('close', () => controller.abort());
  // A file host that stops answering must not hold the connection forever.
  const timeout = AbortSignal.timeout(60_000);
  let upstream: Response;
  try {
    upstream = await fetcher(file.url, AbortSignal.any([controller.signal, timeout]), businessId);
  } catch (error) {
    if (controller.signal.aborted) return reply.hijack(); // the page went away: nothing to answer
    throw fetchFailure(error, timeout.aborted) ?? error;
  }
  if (!upstream.ok || !upstream.body) {
    await upstream.body?.cancel();
    throw new HttpError(502, 'FILE_FETCH_FAILED', `the file host answered HTTP ${upstream.status}`);
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
  return reply
    .code(200)
    .headers(headers)
    .send(Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>));
}

/**
 * Why a download could not start, as the page shows it, for what the fetch itself met: a business no longer
 * served, a host that may not have the credential, a timeout, the network. Anything else (a fetcher's bug)
 * stays an internal error.
 */
function fetchFailure(error: unknown, timedOut: boolean): HttpError | undefined {
  if (error instanceof NotServedError) return notServedReply(error.businessId);
  if (error instanceof FileHostError) return new HttpError(502, 'FILE_HOST_NOT_ALLOWED', error.message);
  if (timedOut) return new HttpError(504, 'FILE_TIMEOUT', 'the file host did not answer within 60 s');
  // fetch rejects with a TypeError "fetch failed" whose cause holds the network's code (ECONNREFUSED, …).
  if (!(error instanceof TypeError) || error.cause === undefined) return undefined;
  const code = (error.cause as { code?: unknown }).code;
  return new HttpError(
    502,
    'FILE_UNREACHABLE',
    `the file host could not be reached${typeof code === 'string' ? ` (${code})` : ''}`,
  );
}

/** Request body reading with size caps that still drain the socket, so clients get a 400 and not a reset. */
import type { IncomingMessage } from 'node:http';

export const JSON_BODY_LIMIT = 512 * 1024;
export const FILE_SIZE_LIMIT = 5 * 1024 * 1024;
/** Multipart framing (boundaries, part headers) on top of the file itself. */
export const MULTIPART_BODY_LIMIT = FILE_SIZE_LIMIT + 64 * 1024;
/** Past this the server stops listening: it answers and closes the connection. */
export const HARD_BODY_LIMIT = 12 * 1024 * 1024;

export interface ReadBody {
  /** The bytes, or null when the body went over `keepLimit` (then only `size` is known). */
  data: Buffer | null;
  size: number;
  /** True when the body passed the hard cap and the connection must be closed after answering. */
  overHardLimit: boolean;
}

export function readBody(req: IncomingMessage, keepLimit: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let kept = true;
    let settled = false;
    const finish = (result: ReadBody) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > HARD_BODY_LIMIT) {
        req.pause();
        finish({ data: null, size, overHardLimit: true });
        return;
      }
      if (kept && size > keepLimit) {
        kept = false;
        chunks.length = 0;
      }
      if (kept) chunks.push(chunk);
    });
    req.on('end', () =>
      finish({ data: kept ? Buffer.concat(chunks, size) : null, size, overHardLimit: false }),
    );
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    req.on('error', fail);
    // A connection cut before the body ended (client gone, request timeout) must not leave this pending.
    req.on('close', () => {
      if (!req.complete) fail(new Error('the connection closed before the request body was complete'));
    });
  });
}

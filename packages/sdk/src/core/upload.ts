import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { FileInput } from '../types.js';
import { ValidationError } from './errors.js';
import { FILE_MAX_BYTES } from './validate.js';

export interface MultipartBody {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
}

const TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.zip': 'application/zip',
};

function tooLarge(size: number): ValidationError {
  return new ValidationError(
    'file',
    `is ${size} bytes; the platform accepts at most ${FILE_MAX_BYTES} bytes (5 MB). Nothing was sent.`,
    'sendFileToChat',
  );
}

/** Reads the file (size-checked first, so an oversized file is never read or sent) and names it. */
async function load(file: FileInput): Promise<{ bytes: Uint8Array; name: string; type: string | undefined }> {
  if (typeof file === 'string') {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(file);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unreadable';
      throw new ValidationError('file', `cannot read "${file}" (${code})`, 'sendFileToChat');
    }
    if (!info.isFile())
      throw new ValidationError('file', `"${file}" is not a regular file`, 'sendFileToChat');
    if (info.size > FILE_MAX_BYTES) throw tooLarge(info.size);
    return { bytes: await readFile(file), name: basename(file), type: undefined };
  }
  if (typeof Blob !== 'undefined' && file instanceof Blob) {
    if (file.size > FILE_MAX_BYTES) throw tooLarge(file.size);
    const name = 'name' in file && typeof file.name === 'string' && file.name !== '' ? file.name : 'file';
    return { bytes: new Uint8Array(await file.arrayBuffer()), name, type: file.type || undefined };
  }
  if (typeof file === 'object' && file !== null && 'data' in file) {
    const bytes = file.data instanceof Uint8Array ? file.data : new Uint8Array(file.data);
    if (!(file.data instanceof Uint8Array) && !(file.data instanceof ArrayBuffer)) {
      throw new ValidationError('file.data', 'must be a Uint8Array, Buffer or ArrayBuffer', 'sendFileToChat');
    }
    if (bytes.byteLength > FILE_MAX_BYTES) throw tooLarge(bytes.byteLength);
    if (typeof file.name !== 'string' || file.name.trim() === '') {
      throw new ValidationError('file.name', 'is required when sending bytes', 'sendFileToChat');
    }
    return { bytes, name: file.name, type: file.contentType };
  }
  throw new ValidationError('file', 'must be a path, a Blob/File, or { data, name }', 'sendFileToChat');
}

/** Quotes a file name for a multipart header; non-ASCII names also go in RFC 5987 `filename*`. */
function disposition(name: string): string {
  const safe = name.replace(/[\r\n"\\]/g, '_');
  const ascii = safe.replace(/[^\x20-\x7e]/g, '_');
  const star = ascii === safe ? '' : `; filename*=UTF-8''${encodeURIComponent(safe)}`;
  return `form-data; name="file"; filename="${ascii}"${star}`;
}

/** Builds the `multipart/form-data` body with the single part `file`, as sendFileToChat expects. */
export async function multipartFile(
  file: FileInput,
): Promise<MultipartBody & { name: string; size: number }> {
  const { bytes, name, type } = await load(file);
  const boundary = `----ym-chats-${randomBytes(12).toString('hex')}`;
  const contentType = type ?? TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: ${disposition(name)}\r\nContent-Type: ${contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    // Buffer.concat always allocates a plain ArrayBuffer; the cast only narrows the declared type.
    body: Buffer.concat([head, bytes, tail]) as Uint8Array<ArrayBuffer>,
    contentType: `multipart/form-data; boundary=${boundary}`,
    name,
    size: bytes.byteLength,
  };
}

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

/** Longest file name the platform keeps; longer ones are cut. */
const NAME_MAX_LENGTH = 200;

/**
 * The name a file is stored under, as the platform shows it in the history. The one normalization the
 * SDK applies: it sends this name, and a verified resend matches the history against it.
 *
 * 1. only the last path segment (after the last `/` or `\`);
 * 2. control characters removed, lone UTF-16 surrogates replaced by U+FFFD, `"` replaced by `_`
 *    (servers unescape quoted names differently);
 * 3. surrounding spaces trimmed; `.` and `..` become empty;
 * 4. cut to 200 UTF-16 code units without splitting a character, then trimmed again;
 * 5. an empty result becomes `file`.
 *
 * The server's own cleaning (strip directories and control characters, trim, cut long names) leaves the
 * result unchanged, so the stored name is exactly this one.
 */
export function storedFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  let clean = base
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/"/g, '_')
    .trim();
  if (clean === '.' || clean === '..') clean = '';
  if (clean.length > NAME_MAX_LENGTH) {
    const high = clean.charCodeAt(NAME_MAX_LENGTH - 1);
    const cut = high >= 0xd800 && high <= 0xdbff ? NAME_MAX_LENGTH - 1 : NAME_MAX_LENGTH;
    clean = clean.slice(0, cut).trim();
  }
  return clean === '' ? 'file' : clean;
}

function tooLarge(size: number): ValidationError {
  return new ValidationError(
    'file',
    `is ${size} bytes; the platform accepts at most ${FILE_MAX_BYTES} bytes (5 MB). Nothing was sent.`,
    'sendFileToChat',
  );
}

function checkSize(size: number): void {
  if (size > FILE_MAX_BYTES) throw tooLarge(size);
  if (size === 0) {
    throw new ValidationError(
      'file',
      'is empty (0 bytes); the platform refuses empty files. Nothing was sent.',
      'sendFileToChat',
    );
  }
}

/** Reads the file (size-checked first, so an oversized file is never read or sent) and names it. */
async function load(file: FileInput): Promise<{ bytes: Uint8Array; name: string; type: string | undefined }> {
  if (typeof file === 'string') {
    // Loaded on first use, so importing the SDK stays cheap for the many callers that never send a path.
    const { readFile, stat } = await import('node:fs/promises');
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(file);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unreadable';
      throw new ValidationError('file', `cannot read "${file}" (${code})`, 'sendFileToChat');
    }
    if (!info.isFile())
      throw new ValidationError('file', `"${file}" is not a regular file`, 'sendFileToChat');
    checkSize(info.size);
    return { bytes: await readFile(file), name: file, type: undefined };
  }
  if (typeof Blob !== 'undefined' && file instanceof Blob) {
    checkSize(file.size);
    const name = 'name' in file && typeof file.name === 'string' && file.name !== '' ? file.name : 'file';
    return { bytes: new Uint8Array(await file.arrayBuffer()), name, type: file.type || undefined };
  }
  if (typeof file === 'object' && file !== null && 'data' in file) {
    const bytes = file.data instanceof Uint8Array ? file.data : new Uint8Array(file.data);
    if (!(file.data instanceof Uint8Array) && !(file.data instanceof ArrayBuffer)) {
      throw new ValidationError('file.data', 'must be a Uint8Array, Buffer or ArrayBuffer', 'sendFileToChat');
    }
    checkSize(bytes.byteLength);
    if (typeof file.name !== 'string' || file.name.trim() === '') {
      throw new ValidationError('file.name', 'is required when sending bytes', 'sendFileToChat');
    }
    return { bytes, name: file.name, type: file.contentType };
  }
  throw new ValidationError('file', 'must be a path, a Blob/File, or { data, name }', 'sendFileToChat');
}

/** The ASCII stand-in for a stored name, sent as `filename` beside `filename*` for non-ASCII names. */
export function asciiFileName(stored: string): string {
  return stored.replace(/[^\x20-\x7e]/g, '_');
}

/** The part header for a name already normalized by `storedFileName`; non-ASCII also goes in `filename*`. */
function disposition(stored: string): string {
  const ascii = asciiFileName(stored);
  const star = ascii === stored ? '' : `; filename*=UTF-8''${encodeURIComponent(stored)}`;
  return `form-data; name="file"; filename="${ascii}"${star}`;
}

/** Builds the `multipart/form-data` body with the single part `file`, as sendFileToChat expects. */
export async function multipartFile(
  file: FileInput,
): Promise<MultipartBody & { name: string; size: number }> {
  const loaded = await load(file);
  const { bytes, type } = loaded;
  const name = storedFileName(loaded.name);
  const random = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(12))).toString('hex');
  const boundary = `----ym-chats-${random}`;
  const extension = /\.[^.]*$/.exec(name)?.[0].toLowerCase() ?? '';
  const contentType = type ?? TYPES[extension] ?? 'application/octet-stream';
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

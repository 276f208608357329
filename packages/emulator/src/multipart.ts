/** A small multipart/form-data parser: enough for one `file` part, strict about framing. */

export interface MultipartPart {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  data: Buffer;
}

export function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Returns the parts, or a reason when the body is not valid multipart for that boundary. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] | string {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) return 'no multipart boundary found in the body';
  while (true) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts; // closing "--"
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else return 'malformed multipart delimiter line';
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return 'unterminated multipart part headers';
    const headers = parseHeaders(body.subarray(pos, headerEnd).toString('utf8'));
    const dataStart = headerEnd + 4;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), dataStart);
    if (next < 0) return 'multipart body has no closing boundary';
    const disposition = headers.get('content-disposition');
    if (!disposition || !/^form-data\b/i.test(disposition))
      return 'multipart part without Content-Disposition: form-data';
    const params = dispositionParams(disposition);
    const name = params.get('name');
    if (name === undefined) return 'multipart part without a name';
    parts.push({
      name,
      filename: params.get('filename*') ?? params.get('filename'),
      contentType: headers.get('content-type'),
      data: body.subarray(dataStart, next),
    });
    pos = next + 2;
  }
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** Parameters of Content-Disposition; `filename*` (RFC 5987) is decoded into plain text. */
function dispositionParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([^=\s;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const key = m[1]!.toLowerCase();
    const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
    if (key === 'filename*') {
      const ext = /^([^']*)'[^']*'(.*)$/.exec(raw);
      if (ext) {
        try {
          params.set(key, decodeURIComponent(ext[2]!));
        } catch {
          params.set(key, ext[2]!);
        }
        continue;
      }
    }
    params.set(key, raw);
  }
  return params;
}

/** File names as shown in history and URLs: no directories, no control characters, bounded length. */
export function sanitizeFileName(name: string | undefined): string {
  if (!name) return '';
  const base = name.split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const safe = clean === '.' || clean === '..' ? '' : clean;
  return safe.length > 200 ? safe.slice(0, 200) : safe;
}

const SAFE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain; charset=utf-8',
};

/** Only inert types by extension; anything else (html, svg, js…) is served as opaque bytes. */
export function safeContentType(name: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return (ext && SAFE_TYPES[ext]) || 'application/octet-stream';
}

/** Plain HTTP to the emulator, bypassing the SDK, for hostile bodies and framing. */
import { API_KEY, BUSINESS } from './emulator-env.js';

export interface RawResult {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export async function raw(
  url: string,
  path: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Uint8Array;
    auth?: boolean;
  } = {},
): Promise<RawResult> {
  const headers: Record<string, string> = {
    ...(init.auth === false ? {} : { 'Api-Key': API_KEY }),
    ...init.headers,
  };
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? 'POST',
    headers,
    // Node's fetch takes any Uint8Array; the DOM typings only know ArrayBuffer-backed ones.
    ...(init.body === undefined ? {} : { body: init.body as string | Uint8Array<ArrayBuffer> }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const api = (op: string, query = '', business: string | number = BUSINESS) =>
  `/v2/businesses/${business}${op}${query === '' ? '' : `?${query}`}`;

/** True when the answer is a 4xx carrying the API's error shape with a non-empty message. */
export function isClearError(r: RawResult): boolean {
  if (r.status < 400 || r.status >= 500) return false;
  const body = r.json as { status?: unknown; errors?: unknown } | undefined;
  if (body?.status !== 'ERROR' || !Array.isArray(body.errors) || body.errors.length === 0) return false;
  return body.errors.every(
    (e: unknown) =>
      typeof e === 'object' &&
      e !== null &&
      typeof (e as { code?: unknown }).code === 'string' &&
      typeof (e as { message?: unknown }).message === 'string' &&
      (e as { message: string }).message.length > 0,
  );
}

/** A multipart body with one part; every piece can be bent for hostile framing. */
export function multipart(options: {
  field?: string;
  filename?: string;
  /** Raw Content-Disposition parameters instead of the quoted filename. */
  disposition?: string;
  data: Uint8Array;
  boundary?: string;
  close?: boolean;
}): { body: Uint8Array; contentType: string } {
  const boundary = options.boundary ?? 'hostile-boundary-7f3a';
  const disposition =
    options.disposition ??
    `form-data; name="${options.field ?? 'file'}"; filename="${options.filename ?? 'f.txt'}"`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(options.close === false ? '' : `\r\n--${boundary}--\r\n`);
  return {
    body: Buffer.concat([head, options.data, tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

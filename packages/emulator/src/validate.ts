/** Request checks shared by the chat operations. Each adds field-level errors; nothing here writes state. */
import type { IncomingHttpHeaders } from 'node:http';
import { JSON_BODY_LIMIT, type ReadBody } from './body.js';
import { ApiError, apiError, type FieldErrors } from './errors.js';
import { describe, parseIdJson, parseIdText } from './ids.js';
import { tooDeep, tooDeepMessage } from './json-depth.js';
import { isOneOf } from './types.js';

export const MESSAGE_MAX_LENGTH = 4096;

/** One value of a query parameter; repeating it is an error because the meaning would be ambiguous. */
export function queryValue(query: URLSearchParams, name: string, errors: FieldErrors): string | undefined {
  const all = query.getAll(name);
  if (all.length > 1) {
    errors.add('INVALID_QUERY_PARAMETER', `${name}: given ${all.length} times, expected once`);
    return undefined;
  }
  return all[0];
}

export function requiredQueryId(
  query: URLSearchParams,
  name: string,
  errors: FieldErrors,
): number | undefined {
  const raw = queryValue(query, name, errors);
  if (raw === undefined) {
    if (!query.has(name)) errors.add('MISSING_PARAM', `${name}: required query parameter is missing`);
    return undefined;
  }
  return parseIdText(raw, name, errors, 'INVALID_QUERY_PARAMETER');
}

export function queryLimit(
  query: URLSearchParams,
  page: { max: number; default: number; truncate?: true },
  errors: FieldErrors,
): number {
  const min = 1;
  const { max, default: fallback } = page;
  const raw = queryValue(query, 'limit', errors);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) {
    errors.add(
      'INVALID_QUERY_PARAMETER',
      `limit: must be an integer between ${min} and ${max}, got "${raw}"`,
    );
    return fallback;
  }
  const value = Number(raw);
  // Where the spec says the platform truncates (`x-transform: truncateLimit`), too large means the maximum.
  if (value > max && page.truncate) return max;
  if (value < min || value > max) {
    errors.add('INVALID_QUERY_PARAMETER', `limit: must be between ${min} and ${max}, got ${raw}`);
    return fallback;
  }
  return value;
}

/** `pageToken`, or the seed's `page_token`; both at once must agree. */
export function queryPageToken(query: URLSearchParams, errors: FieldErrors): string | undefined {
  const camel = queryValue(query, 'pageToken', errors);
  const snake = queryValue(query, 'page_token', errors);
  if (camel !== undefined && snake !== undefined && camel !== snake) {
    errors.add('INVALID_QUERY_PARAMETER', 'pageToken: pageToken and page_token are both given and differ');
    return undefined;
  }
  const token = camel ?? snake;
  if (token === '') {
    errors.add('INVALID_QUERY_PARAMETER', 'pageToken: must not be empty');
    return undefined;
  }
  return token;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase();
}

/**
 * The JSON object body of a POST. Framing problems (type, size, syntax) are thrown at once: nothing about
 * the fields can be said without a parsed body.
 */
export function jsonObjectBody(
  contentType: string | undefined,
  body: ReadBody,
  errors: FieldErrors,
): Record<string, unknown> {
  const fail = (message: string) => {
    errors.add('BAD_REQUEST', message);
    return new ApiError(400, errors.list);
  };
  if (body.data === null || body.size > JSON_BODY_LIMIT)
    throw fail(`request body: ${body.size} bytes is over the limit of ${JSON_BODY_LIMIT} bytes (512 KB)`);
  if (body.size === 0)
    throw fail('request body: required; send a JSON object ({} when there is nothing to say)');
  if (mediaType(contentType) !== 'application/json')
    throw fail(`Content-Type: must be application/json, got ${contentType ? `"${contentType}"` : 'none'}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.data.toString('utf8'));
  } catch (err) {
    throw fail(`request body: malformed JSON (${err instanceof Error ? err.message : 'parse error'})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw fail(`request body: must be a JSON object, got ${describe(parsed)}`);
  const deep = tooDeep(parsed);
  if (deep !== undefined) {
    errors.add('INVALID_PARAMETER', tooDeepMessage(deep));
    throw new ApiError(400, errors.list);
  }
  return parsed as Record<string, unknown>;
}

export function isMultipart(contentType: string | undefined): boolean {
  return mediaType(contentType) === 'multipart/form-data';
}

/**
 * An optional filter array: absent or null means no filter; otherwise non-empty and without duplicates,
 * as the spec's minItems/uniqueItems say.
 */
export function filterArray<T>(
  body: Record<string, unknown>,
  field: string,
  errors: FieldErrors,
  item: (value: unknown, where: string) => T | undefined,
  key: (value: T) => string = String,
): T[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    errors.add('INVALID_PARAMETER', `${field}: must be an array, got ${describe(value)}`);
    return undefined;
  }
  if (value.length === 0) {
    errors.add('INVALID_PARAMETER', `${field}: must not be empty (omit it to apply no filter)`);
    return undefined;
  }
  const out: T[] = [];
  const seen = new Set<string>();
  let ok = true;
  value.forEach((raw, i) => {
    const parsed = item(raw, `${field}[${i}]`);
    if (parsed === undefined) {
      ok = false;
      return;
    }
    const k = key(parsed);
    if (seen.has(k)) {
      errors.add('INVALID_PARAMETER', `${field}[${i}]: duplicate value ${describe(raw)}`);
      ok = false;
    }
    seen.add(k);
    out.push(parsed);
  });
  return ok ? out : undefined;
}

export function enumItem<T extends string>(values: readonly T[], errors: FieldErrors) {
  return (value: unknown, where: string): T | undefined => {
    if (isOneOf(values, value)) return value;
    errors.add('INVALID_PARAMETER', `${where}: must be one of ${values.join(', ')}, got ${describe(value)}`);
    return undefined;
  };
}

export function idItem(errors: FieldErrors) {
  return (value: unknown, where: string): number | undefined => parseIdJson(value, where, errors);
}

/** Message text: 1..4096 UTF-16 code units, the count Java and JavaScript strings (and the platform) use. */
export function messageText(value: unknown, errors: FieldErrors): string | undefined {
  if (value === undefined) {
    errors.add('MISSING_PARAM', 'message: required');
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.add('INVALID_PARAMETER', `message: must be a string, got ${describe(value)}`);
    return undefined;
  }
  if (value.length < 1 || value.length > MESSAGE_MAX_LENGTH) {
    errors.add(
      'INVALID_PARAMETER',
      `message: length must be between 1 and ${MESSAGE_MAX_LENGTH} characters (UTF-16 code units), got ${value.length}`,
    );
    return undefined;
  }
  if (hasLoneSurrogate(value)) {
    errors.add('INVALID_PARAMETER', 'message: contains a lone UTF-16 surrogate, which has no UTF-8 form');
    return undefined;
  }
  return value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** JSON can carry half a surrogate pair; stored as UTF-8 it would come back as U+FFFD, so it is refused. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

export function notFound(what: string): ApiError {
  return apiError(404, 'NOT_FOUND', `${what} not found`);
}

import type { OperationId } from '../operations.js';
import { ValidationError } from './errors.js';

const MAX_INT64 = 2n ** 63n - 1n;

export const MESSAGE_MAX_LENGTH = 4096;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const FILE_MAX_BYTES = 5 * 1024 * 1024;

/**
 * Page size bounds per list operation. Above the maximum the platform answers the chat lists with 400 and
 * cuts getBusinessOrders' to 50; the SDK refuses both, so a caller never gets fewer than it asked for.
 */
export const PAGE_LIMITS = {
  getChats: { max: 20, default: 10 },
  getChatHistory: { max: 100, default: 50 },
  getBusinessOrders: { max: 50, default: 50 },
} as const;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** Checks a positive 64-bit id and returns its decimal text for URLs and JSON. */
export function checkId(value: unknown, field: string, operation?: OperationId): string {
  if (typeof value === 'bigint') {
    if (value >= 1n && value <= MAX_INT64) return value.toString();
  } else if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 1) return String(value);
    if (Number.isInteger(value) && value > Number.MAX_SAFE_INTEGER) {
      throw new ValidationError(
        field,
        `${value} is beyond Number.MAX_SAFE_INTEGER and may already have lost precision; pass it as a bigint`,
        operation,
      );
    }
  }
  throw new ValidationError(
    field,
    `must be a positive 64-bit integer (a safe integer or a bigint), got ${describe(value)}`,
    operation,
  );
}

export function checkLimit(value: unknown, operation: keyof typeof PAGE_LIMITS): number | undefined {
  if (value === undefined) return undefined;
  const { max } = PAGE_LIMITS[operation];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(
      'limit',
      `must be an integer from 1 to ${max}, got ${describe(value)}`,
      operation,
    );
  }
  return value;
}

export function checkPageToken(value: unknown, operation: OperationId): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new ValidationError('pageToken', `must be a non-empty string, got ${describe(value)}`, operation);
  }
  return value;
}

/**
 * The platform counts message length like Java and JavaScript do (UTF-16 code units), so an emoji counts
 * as two. Checked here so a too-long message fails without spending quota.
 */
export function checkMessageText(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new ValidationError(field, `must be a string, got ${describe(value)}`, 'sendMessageToChat');
  }
  if (value.length === 0) throw new ValidationError(field, 'must not be empty', 'sendMessageToChat');
  if (LONE_SURROGATE.test(value)) {
    throw new ValidationError(
      field,
      'contains a lone UTF-16 surrogate (half of an emoji or a broken string); it cannot be sent as UTF-8',
      'sendMessageToChat',
    );
  }
  if (value.length > MESSAGE_MAX_LENGTH) {
    throw new ValidationError(
      field,
      `is ${value.length} characters; the maximum is ${MESSAGE_MAX_LENGTH}`,
      'sendMessageToChat',
    );
  }
  return value;
}

export function checkObject(value: unknown, field: string, operation: OperationId): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, `must be an object, got ${describe(value)}`, operation);
  }
  return value as Record<string, unknown>;
}

/** Checks an optional filter list: present means a non-empty array. */
export function checkList<T>(
  value: unknown,
  field: string,
  operation: OperationId,
  item: (v: unknown, f: string) => T,
): T[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationError(
      field,
      `must be a non-empty array when given, got ${describe(value)}`,
      operation,
    );
  }
  return value.map((v, i) => item(v, `${field}[${i}]`));
}

export function checkEnumValue(value: unknown, field: string, operation: OperationId): string {
  if (typeof value !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(value)) {
    throw new ValidationError(
      field,
      `must be an upper-case enum value such as "NEW", got ${describe(value)}`,
      operation,
    );
  }
  return value;
}

/** Id parsing: the API's ids are positive int64 decimals. */
import type { FieldErrors } from './errors.js';

const MAX_INT64 = 2n ** 63n - 1n;
const MAX_INT64_NUMBER = 2 ** 63;

/**
 * Parses a path or query id. Valid ids beyond Number's safe range cannot exist in this store (it never
 * issues them), so they map to 0, which no row has: the caller then answers 404, as production would.
 */
export function parseIdText(
  raw: string,
  field: string,
  errors: FieldErrors,
  code: string,
): number | undefined {
  if (!/^\d+$/.test(raw)) {
    errors.add(code, `${field}: must be a positive 64-bit integer, got "${truncate(raw)}"`);
    return undefined;
  }
  const value = BigInt(raw);
  if (value < 1n || value > MAX_INT64) {
    errors.add(code, `${field}: must be between 1 and ${MAX_INT64}, got ${truncate(raw)}`);
    return undefined;
  }
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(value);
}

/** Checks an id given as a JSON number. */
export function parseIdJson(value: unknown, field: string, errors: FieldErrors): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errors.add('INVALID_PARAMETER', `${field}: must be a positive 64-bit integer, got ${describe(value)}`);
    return undefined;
  }
  if (value < 1 || value >= MAX_INT64_NUMBER) {
    errors.add('INVALID_PARAMETER', `${field}: must be between 1 and ${MAX_INT64}, got ${value}`);
    return undefined;
  }
  return Number.isSafeInteger(value) ? value : 0;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${truncate(value)}"`;
  try {
    return truncate(JSON.stringify(value) ?? String(value));
  } catch {
    // Bodies are depth-checked first; this only keeps an error text from becoming a 500.
    return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

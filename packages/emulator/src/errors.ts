/** The API's error envelope and the exception the pipeline turns into it. */

export interface ApiErrorEntry {
  code: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiErrorEntry[],
  ) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
  }
}

export function apiError(status: number, code: string, message: string): ApiError {
  return new ApiError(status, [{ code, message }]);
}

export function errorBody(errors: ApiErrorEntry[]): string {
  return JSON.stringify({ status: 'ERROR', errors });
}

/** Collects every problem of one request so a client sees all of them at once, not one per round trip. */
export class FieldErrors {
  readonly list: ApiErrorEntry[] = [];

  add(code: string, message: string): void {
    this.list.push({ code, message });
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new ApiError(400, this.list);
  }
}

/**
 * The shared test PostgreSQL (YM_TEST_POSTGRES_URL): a fresh schema per test, so no test sees another's rows
 * and test files can run side by side; and the one rule for its absence — a failure under CI, a visible skip
 * elsewhere.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

export const PG_URL = process.env.YM_TEST_POSTGRES_URL;

export const PG_MISSING = 'YM_TEST_POSTGRES_URL is not set; CI must provide PostgreSQL (see .ci/run)';

export interface FreshSchema {
  url: string;
  /** `<prefix>_<12 hex digits>`: no other test names it. The store (or the CLI's `--schema`) creates it. */
  schema: string;
  /** Drops the schema with everything in it; safe to call when it was never created, or twice. */
  drop(): Promise<void>;
}

/**
 * A schema name of this test's own on `url` (usually `PG_URL`; undefined throws, naming the variable); the
 * caller opens its store in it and calls `drop()` after.
 */
export function freshSchema(url: string | undefined, prefix = 't'): FreshSchema {
  if (url === undefined) throw new Error(PG_MISSING);
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(prefix)) {
    throw new TypeError(`freshSchema: prefix "${prefix}" must be a short lower-case SQL identifier`);
  }
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  return {
    url,
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * `describe(title)` with the PostgreSQL URL when there is one; without it a failing test under CI and a
 * visible skip elsewhere, named for what is missing.
 */
export function describePostgres(title: string, body: (url: string) => void): void {
  if (PG_URL !== undefined) {
    const url = PG_URL;
    describe(title, () => body(url));
  } else if (process.env.CI === 'true') {
    describe(title, () => {
      it('needs PostgreSQL', () => {
        throw new Error(PG_MISSING);
      });
    });
  } else {
    describe.skip(`${title} — skipped: YM_TEST_POSTGRES_URL is not set`, () => {
      it('needs PostgreSQL', () => undefined);
    });
  }
}

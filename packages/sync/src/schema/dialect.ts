/**
 * The few type names that differ between the engines, in one place for every component's migrations (the
 * store's, the inbox's, the workers'): the rest of their SQL is written once for both.
 */
import type { Dialect } from '../db/sql.js';

export interface DialectTypes {
  /** A 64-bit integer (ids, sizes, epoch milliseconds). */
  big: string;
  /** A point in time: ISO 8601 text in SQLite (text order is time order), timestamptz in PostgreSQL. */
  ts: string;
  /** A generated, increasing 64-bit primary key. */
  serial: string;
}

export const DIALECT_TYPES: Readonly<Record<Dialect, Readonly<DialectTypes>>> = {
  sqlite: { big: 'INTEGER', ts: 'TEXT', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT' },
  postgres: { big: 'BIGINT', ts: 'TIMESTAMPTZ', serial: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' },
};

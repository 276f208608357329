/**
 * The stores the inbox's tests run over, from @ym-chats/testkit: a SQLite file always; PostgreSQL when
 * YM_TEST_POSTGRES_URL is set, each store in a fresh schema dropped afterwards (under CI a missing
 * PostgreSQL is a failure, elsewhere a visible skip). `describeStores` runs a body once per engine.
 */
import { type OpenedStore, openPostgresStore as openPg } from '@ym-chats/testkit';

export {
  describeEngines as describeStores,
  type Engine,
  openSqliteStore,
  PG_URL,
} from '@ym-chats/testkit';

export type TestStore = OpenedStore;

export const openPostgresStore = (url?: string): Promise<TestStore> => openPg(url, 'inbox');

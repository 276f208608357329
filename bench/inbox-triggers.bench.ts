/**
 * What the store's change notices (triggers a NOTIFY per insert statement on `events`, a NOTIFY per row
 * whose status or type changes on `chats`; the inbox's until the store's migration 4) cost the sync
 * engine, on PostgreSQL, side by side in alternating rounds (best of three each):
 *  1. a cold sync pass from the emulator into a fresh schema: the store with its triggers dropped (bare),
 *     the store as opened plus the inbox's migrations, and the same with a connection LISTENing on the
 *     channel (what a running `serve` holds);
 *  2. one UPDATE of every chat's status (the trigger fires per row), bare vs. with the triggers.
 * Skipped without YM_TEST_POSTGRES_URL. Run: `npm run bench -- inbox-triggers` (YM_BENCH_TRIGGER_CHATS).
 */
import { randomBytes } from 'node:crypto';
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { openInbox } from '@ym-chats/inbox';
import { ChatsApi } from '@ym-chats/sdk';
import { openStore, SyncEngine, type SyncStore } from '@ym-chats/sync';
import pg from 'pg';

const PG_URL = process.env.YM_TEST_POSTGRES_URL;
const CHATS = Number(process.env.YM_BENCH_TRIGGER_CHATS ?? 1500);
const BUSINESS = 1001;
const ROUNDS = 3;

type Variant = 'bare' | 'inbox' | 'inbox+listener';

async function openSchema(variant: Variant, api: ChatsApi) {
  const schema = `bench_trg_${randomBytes(5).toString('hex')}`;
  const store: SyncStore = await openStore(PG_URL!, { schema });
  let listener: pg.Client | undefined;
  if (variant === 'bare') {
    // The baseline: the store without its change notices.
    await store.database().run('DROP TRIGGER chats_changed ON chats');
    await store.database().run('DROP TRIGGER events_logged ON events');
  } else {
    // The inbox's tables stay after it closes; the triggers are the store's own.
    const inbox = await openInbox({ store, api, businessIds: [BUSINESS], host: '127.0.0.1', relay: false });
    await inbox.close();
  }
  if (variant === 'inbox+listener') {
    listener = new pg.Client({ connectionString: PG_URL });
    await listener.connect();
    await listener.query(`SET search_path TO ${schema}`);
    const channel = (await listener.query(`SELECT 'ym_inbox_' || md5('${schema}') AS c`)).rows[0].c as string;
    await listener.query(`LISTEN "${channel}"`);
  }
  return {
    store,
    async dispose() {
      await listener?.end();
      await store.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

async function main(): Promise<void> {
  if (!PG_URL) {
    console.log('inbox triggers: skipped (YM_TEST_POSTGRES_URL not set)');
    return;
  }
  const emulator = createEmulator({ quotas: { enabled: false, concurrency: false, scale: 10_000 } });
  const url = await emulator.listen();
  try {
    await new AdminClient(url).seed({ seed: 7, chats: CHATS, businessId: BUSINESS });
    const api = new ChatsApi({
      apiKey: 'emulator-api-key',
      baseUrl: url,
      pathPrefix: '/v2',
      rateLimit: { limits: { getChats: 1e9, getChatHistory: 1e9 } },
    });
    const variants: Variant[] = ['bare', 'inbox', 'inbox+listener'];
    const pass: Record<Variant, number[]> = { bare: [], inbox: [], 'inbox+listener': [] };
    const update: Record<Variant, number[]> = { bare: [], inbox: [], 'inbox+listener': [] };
    let messages = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of variants) {
        const opened = await openSchema(variant, api);
        try {
          const started = performance.now();
          await new SyncEngine({ api, store: opened.store, businessId: BUSINESS }).pass('once');
          pass[variant].push(performance.now() - started);
          messages = (await opened.store.counts()).messages;
          if (variant !== 'inbox+listener') {
            const t = performance.now();
            await opened.store
              .database()
              .run("UPDATE chats SET status = CASE WHEN status = 'CLOSED' THEN 'NEW' ELSE 'CLOSED' END");
            update[variant].push(performance.now() - t);
          }
        } finally {
          await opened.dispose();
        }
      }
    }
    const best = (xs: number[]) => Math.min(...xs);
    console.log(`cold sync pass, ${CHATS} chats, ${messages} messages (ms per round; best; ÷ bare):`);
    for (const v of variants) {
      console.log(
        `  ${v.padEnd(15)} ${pass[v].map((x) => x.toFixed(0)).join(' / ')}  best ${best(pass[v]).toFixed(0)}  ${(best(pass[v]) / best(pass.bare)).toFixed(2)}`,
      );
    }
    console.log(`UPDATE of every chat's status (${CHATS} rows; ms per round; best; ÷ bare):`);
    for (const v of ['bare', 'inbox'] as const) {
      console.log(
        `  ${v.padEnd(15)} ${update[v].map((x) => x.toFixed(1)).join(' / ')}  best ${best(update[v]).toFixed(1)}  ${(best(update[v]) / best(update.bare)).toFixed(2)}`,
      );
    }
  } finally {
    await emulator.close();
  }
}

await main();

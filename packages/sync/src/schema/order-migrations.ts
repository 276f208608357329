/**
 * The order and return behind each ORDER/RETURN chat (filled by the sync engine's order reads,
 * `src/orders/`), and the index that finds a buyer's other chats. Part of the store's migrations
 * (migrations.ts); a migration, once released, is never edited.
 */
import type { DialectTypes } from './dialect.js';
import type { Migration } from './runner.js';

export const ORDER_MIGRATIONS: readonly Migration[] = [
  {
    version: 12,
    name: "orders, their items and returns behind the chats; the buyer's other chats",
    // Money as hundredths of the currency's unit (exact on both engines; the API gives at most two
    // decimals). Delivery dates stay the API's `YYYY-MM-DD` (a day, not a moment). A return's items are one
    // JSON text: they are shown whole and never queried one by one. order_wants: the ORDER/RETURN chats
    // that changed since their order was last read, kept until it is read (a read may wait for the refresh
    // window, the quota or a key with the order scope), so a deferred read survives a restart.
    // order_scope_missing: the business's key got 403 from the order reads; which scopes it needs and a
    // hash of that key (never the key), so reads resume once the key changes.
    statements: ({ big, ts }: DialectTypes) => [
      `CREATE TABLE orders (
  business_id ${big} NOT NULL,
  order_id ${big} NOT NULL,
  campaign_id ${big} NOT NULL,
  status TEXT NOT NULL,
  substatus TEXT NOT NULL,
  program_type TEXT,
  created_at ${ts} NOT NULL,
  updated_at ${ts},
  delivery_type TEXT NOT NULL,
  delivery_service TEXT,
  delivery_from TEXT,
  delivery_to TEXT,
  delivered_at TEXT,
  total_minor ${big},
  total_currency TEXT,
  fetched_at ${ts} NOT NULL,
  PRIMARY KEY (business_id, order_id)
)`,
      `CREATE TABLE order_items (
  business_id ${big} NOT NULL,
  order_id ${big} NOT NULL,
  position INTEGER NOT NULL,
  item_id ${big},
  offer_id TEXT NOT NULL,
  name TEXT NOT NULL,
  count INTEGER NOT NULL,
  price_minor ${big},
  price_currency TEXT,
  PRIMARY KEY (business_id, order_id, position)
)`,
      `CREATE TABLE returns (
  business_id ${big} NOT NULL,
  return_id ${big} NOT NULL,
  order_id ${big} NOT NULL,
  campaign_id ${big} NOT NULL,
  return_type TEXT NOT NULL,
  refund_status TEXT,
  shipment_status TEXT,
  amount_minor ${big},
  amount_currency TEXT,
  created_at ${ts},
  updated_at ${ts},
  items TEXT NOT NULL,
  fetched_at ${ts} NOT NULL,
  PRIMARY KEY (business_id, return_id)
)`,
      `CREATE TABLE order_wants (
  business_id ${big} NOT NULL,
  chat_id ${big} NOT NULL,
  PRIMARY KEY (business_id, chat_id)
)`,
      `CREATE TABLE order_scope_missing (
  business_id ${big} PRIMARY KEY,
  key_fingerprint TEXT,
  scopes TEXT NOT NULL,
  since ${ts} NOT NULL
)`,
      'CREATE INDEX chats_by_customer ON chats (business_id, customer_public_id, updated_at)',
    ],
  },
];

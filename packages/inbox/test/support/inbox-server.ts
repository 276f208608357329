/**
 * A whole inbox for tests: the real emulator (seeded), a real store filled from it, the inbox on node:http
 * at 127.0.0.1, and an SDK client pointed at the emulator.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminClient, createEmulator, DEFAULT_BUSINESS_ID, DEFAULT_CREDENTIALS } from '@ym-chats/emulator';
import {
  type AgentConfig,
  createInbox,
  credentialFetcher,
  hashPassword,
  type Inbox,
  type InboxOptions,
  openInbox,
  type StoreSource,
} from '@ym-chats/inbox';
import { ChatsApi } from '@ym-chats/sdk';
import { ensureClientBuilt } from './client-build.js';
import { openSqliteStore, type TestStore } from './stores.js';
import { syncPass } from './sync-pass.js';

export const BUSINESS = DEFAULT_BUSINESS_ID;

/** An agent of the tests' business whose password is `<login>-pass`. */
export async function teamAgent(login: string, name: string): Promise<AgentConfig> {
  return { login, name, passwordHash: await hashPassword(`${login}-pass`), businessIds: [BUSINESS] };
}
const API_KEY = DEFAULT_CREDENTIALS[0]?.apiKey ?? 'emulator-api-key';

export interface Harness {
  url: string;
  emulatorUrl: string;
  admin: AdminClient;
  api: ChatsApi;
  store: TestStore;
  source: StoreSource;
  inbox: Inbox;
  agents: AgentConfig[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  agents?: AgentConfig[];
  /** The address the inbox believes it is bound to (it always listens on 127.0.0.1 in tests). */
  host?: string;
  businessIds?: number[];
  openStore?: () => Promise<TestStore>;
  seed?: number;
  inbox?: Partial<InboxOptions>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  ensureClientBuilt();
  const emulator = createEmulator({ seed: options.seed ?? 7, platformTimeoutMs: 1000 });
  const emulatorUrl = await emulator.listen();
  const admin = new AdminClient(emulatorUrl);
  const api = new ChatsApi({ apiKey: API_KEY, baseUrl: emulatorUrl, pathPrefix: '/v2', maxRetries: 0 });
  const store = await (options.openStore ?? openSqliteStore)();
  await syncPass(store.store, api, BUSINESS);
  const inbox = await openInbox({
    store: store.store,
    pollMs: 100,
    api,
    businessIds: options.businessIds ?? [BUSINESS],
    host: options.host ?? '127.0.0.1',
    agents: options.agents ?? [],
    fetchFile: credentialFetcher({ apiKey: API_KEY, allowedOrigins: [emulatorUrl] }),
    ...options.inbox,
  });
  const source = inbox.source;
  await source.indexer.catchUp();
  const server: Server = createServer(inbox.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    emulatorUrl,
    admin,
    api,
    store,
    source,
    inbox,
    agents: options.agents ?? [],
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await inbox.close();
      await store.dispose();
      await emulator.close();
    },
  };
}

/** A second inbox over the harness's store and chats (the local user, other options), on a port of its own. */
export async function serveInbox(
  h: Harness,
  options: Partial<InboxOptions>,
): Promise<{ url: string; close(): Promise<void> }> {
  const inbox = createInbox({
    source: h.source,
    api: h.api,
    businessIds: [BUSINESS],
    host: '127.0.0.1',
    ...options,
  });
  const server: Server = createServer(inbox.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await inbox.close();
    },
  };
}

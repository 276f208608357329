import type { AddressInfo } from 'node:net';
import { createLimitedServer, TrustedProxies } from '@ym-chats/sdk';
import type { Inbox } from './inbox.js';
import { type OpenInboxOptions, openInbox } from './open.js';

export interface StartInboxOptions extends Omit<OpenInboxOptions, 'host'> {
  /** Default 127.0.0.1 (then, with no agents, the local user needs no login). */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

export interface RunningInbox {
  /** Where to open the inbox, e.g. http://127.0.0.1:8090/ */
  url: string;
  inbox: Inbox;
  close(): Promise<void>;
}

/** The inbox on its own node:http server, in this process (what `npm start` and embedding need). */
export async function startInbox(options: StartInboxOptions): Promise<RunningInbox> {
  const { port, ...rest } = options;
  const host = options.host ?? '127.0.0.1';
  const inbox = await openInbox({ ...rest, host });
  // Every client behind a trusted proxy arrives from its address: the per-address cap is not for it.
  const proxies = TrustedProxies.from(options.trustProxy);
  const server = createLimitedServer(inbox.listener, { exempt: (address) => proxies.trusts(address) });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await inbox.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/`,
    inbox,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Event streams never end by themselves.
      server.closeAllConnections();
      await closed;
      await inbox.close();
    },
  };
}

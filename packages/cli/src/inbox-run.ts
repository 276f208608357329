/**
 * Opens the web inbox (@ym-chats/inbox, an optional dependency) over a sync store for `serve` and `demo`:
 * agents from the store, attachments proxied with the connection's credential, replies through its client.
 */
import type { ChatsApi, Id, SendOutcome, TrustProxy } from '@ym-chats/sdk';
import type { SyncStore } from '@ym-chats/sync';
import { UsageError } from './errors.js';
import { loadOptional } from './optional-package.js';

type InboxModule = typeof import('@ym-chats/inbox');

export interface InboxSettings {
  /** Replies go out through it: one business's client, or one that picks each business's own. */
  api: ChatsApi;
  /** A fixed list, or a function the inbox asks at every use (the registry's ids, kept fresh). */
  businessIds: Id[] | (() => readonly number[]);
  /**
   * Attachments are fetched from the API's base URL only, with this credential — or, for several
   * businesses each with its own credential, with `credentialFor(businessId)`, looked up per download
   * (`undefined` for a business no longer registered: refused as not served, 403).
   * Without `files` downloads are refused.
   */
  files?:
    | {
        baseUrl: string;
        apiKey?: string | undefined;
        oauthToken?: string | undefined;
        credentialFor?: (
          businessId: number,
        ) => Promise<{ apiKey?: string; accessToken?: string } | undefined>;
      }
    | undefined;
  /** The address the page is served on: anything but loopback makes logins mandatory. */
  host: string;
  cwd: string;
  replyTargetMinutes?: number | undefined;
  /** Behind a TLS-terminating proxy (any peer, or peers in these networks): address and host from its headers. */
  trustProxy?: TrustProxy | undefined;
  /** Told what became of each reply (`serve --metrics-port`). */
  onSendOutcome?: ((outcome: SendOutcome['outcome'], chat: { businessId: number }) => void) | undefined;
}

export type CliInbox = Awaited<ReturnType<InboxModule['openInbox']>>;

export async function openCliInbox(store: SyncStore, settings: InboxSettings): Promise<CliInbox> {
  const inbox = await loadOptional<InboxModule>(
    '@ym-chats/inbox',
    () => import('@ym-chats/inbox'),
    'the web inbox',
  );
  const files = settings.files;
  try {
    return await inbox.openInbox({
      store,
      api: settings.api,
      businessIds:
        typeof settings.businessIds === 'function'
          ? settings.businessIds
          : settings.businessIds.map((b) => Number(b)),
      host: settings.host,
      ...(files === undefined
        ? {}
        : {
            fetchFile: inbox.credentialFetcher({
              ...(files.apiKey === undefined ? {} : { apiKey: files.apiKey }),
              ...(files.oauthToken === undefined ? {} : { accessToken: files.oauthToken }),
              ...(files.credentialFor === undefined ? {} : { credentialFor: files.credentialFor }),
              allowedOrigins: [files.baseUrl],
            }),
          }),
      ...(settings.trustProxy === undefined ? {} : { trustProxy: settings.trustProxy }),
      ...(settings.onSendOutcome === undefined ? {} : { sends: { onOutcome: settings.onSendOutcome } }),
      ...(settings.replyTargetMinutes === undefined
        ? {}
        : { firstReplyTargetMinutes: settings.replyTargetMinutes }),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/logins are mandatory/.test(message)) {
      throw new UsageError(
        message,
        'Add one with ym-chats agents add LOGIN --businesses ID (or import a file with --agents FILE), or keep --host 127.0.0.1 for a single local user.',
      );
    }
    throw error;
  }
}

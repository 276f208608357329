import type { ChatsApi, SendOutcome, TrustProxy } from '@ym-chats/sdk';
import type { AgentDirectory } from './auth/agent-directory.js';
import type { AgentConfig, ServedBusinesses } from './auth/agents.js';
import type { LoginLimiter, LoginLimiterOptions } from './auth/login-limiter.js';
import type { LoginLinks } from './auth/login-links.js';
import type { SessionStore, SessionStoreOptions } from './auth/sessions.js';
import type { FileFetcher } from './http/file-proxy.js';
import type { LiveBus } from './live/bus.js';
import type { StreamCaps } from './live/open-streams.js';
import type { Relay } from './live/relay.js';
import type { SendLedgerStore } from './reply/ledger.js';
import type { BusinessHours } from './shared/business-hours.js';
import type { TeamStore } from './team/team-store.js';
import type { TemplateDraft, TemplateStore } from './team/templates.js';
import type { ChatKey, InboxSource } from './types.js';

// Types only, in a module of their own: `createInbox` reads these options and the routes reach them through
// `ApiContext`, so neither has to import the other.

export interface InboxOptions {
  /** Where chats and messages are read from (the sync store). */
  source: InboxSource;
  /** Replies go out through the SDK, with its no-duplicate rules. */
  api: ChatsApi;
  /**
   * The businesses this inbox serves; the local user (no agents, loopback) sees all of them, an agent those
   * of its own among them. A function is asked at every use: for a list that changes while the inbox runs.
   */
  businessIds: ServedBusinesses;
  /** The address the server is bound to: anything but loopback makes login mandatory. */
  host: string;
  /**
   * Agents for `createInbox` in memory (`openInbox` imports them into the store's, added or updated by
   * login). A store with agents, or any bind but loopback, asks every browser to log in.
   */
  agents?: AgentConfig[];
  /** Who may log in (`openInbox`: the store's, shared by every process); default `agents` in memory. */
  agentDirectory?: AgentDirectory;
  /** Downloads attachments with the seller's credential (see `credentialFetcher`). */
  fetchFile?: FileFetcher;
  team?: TeamStore;
  bus?: LiveBus;
  /**
   * Carries agents' actions, presence and the store's changes between processes sharing the database
   * (`openInbox` picks LISTEN/NOTIFY on PostgreSQL, a polled table on SQLite). Without one, only this
   * process's pages hear of them. Closed with the inbox.
   */
  relay?: Relay;
  /** The first-reply target the queue colours waits against. Default 15 minutes. */
  firstReplyTargetMinutes?: number;
  /**
   * How often pages re-read their queue and open chat even without a live event (default 30 s): a
   * safety net under the live events (a status or type change arrives live through the relay).
   */
  pageRefreshMs?: number;
  /**
   * How often an open event stream sends a keep-alive and checks that its session still stands (a logout
   * in another process, expiry): past that the stream ends. Default 20 s (a logout in this process ends
   * its streams at once).
   */
  streamCheckMs?: number;
  /** Count waits in these hours only (default: around the clock). */
  businessHours?: BusinessHours;
  /** What a business's templates start as, the first time they are read (default: the four built-ins). */
  templates?: readonly TemplateDraft[];
  /** A business's templates (`openInbox`: the store's); default this process's memory. */
  templateStore?: TemplateStore;
  /**
   * Behind a TLS-terminating proxy: take the client's address (login limits) and the host (same-origin
   * check) from the proxy's X-Forwarded-For / X-Forwarded-Host — from any peer (`true`), or only from peers
   * in these networks (CIDRs or addresses); the SDK's `clientAddress` rule. Never set it without a proxy.
   */
  trustProxy?: TrustProxy;
  /** Mark the session cookie `Secure` (default true; browsers accept it on http://127.0.0.1 and localhost). */
  secureCookies?: boolean;
  /** Lifetimes and caps of sessions. */
  sessions?: SessionStoreOptions;
  /** Where sessions live (`openInbox`: the database); default this process's memory. */
  sessionStore?: SessionStore;
  loginLimits?: LoginLimiterOptions;
  /** Where failed logins are counted (`openInbox`: the database); default this process's memory. */
  loginLimiter?: LoginLimiter;
  /** One-time login links (`openInbox`: the database, where `ym-chats agents link` puts them); default memory. */
  loginLinks?: LoginLinks;
  /** The secret login-form and device tokens are signed with (`openInbox`: the database's); default this process's. */
  signingSecret?: () => Promise<Buffer>;
  /** Event streams open at once per session and per client address (the oldest close first). */
  streamCaps?: Partial<StreamCaps>;
  /** What became of every reply (`openInbox`: the database, shared by every process); default memory. */
  sendLedger?: SendLedgerStore;
  /**
   * Timings of the send ledger (tests shorten them), and `onOutcome`: told what became of each reply (the
   * SDK's outcome), for the composition's metrics — the inbox itself counts nothing.
   */
  sends?: {
    heartbeatMs?: number;
    staleAfterMs?: number;
    settleMs?: number;
    lockWaitMs?: number;
    onOutcome?: (outcome: SendOutcome['outcome'], chat: ChatKey) => void;
  };
  /** Called with unexpected errors (a 500 was answered). Default: console.error. */
  onError?: (error: unknown) => void;
}

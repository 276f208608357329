/**
 * `serve` as a library function: the push endpoint on a port, the businesses it serves run behind it, and
 * optionally another app (the web inbox) on the same port. `ym-chats serve` is one call of it; so is
 * `startReceiver`. What is served is a source: one business (`oneBusiness`, here) or the businesses
 * registered in the store (`registeredBusinesses` in `@ym-chats/workers`, which depends on this package,
 * not the other way round). The app is made by a function of the running businesses, because the inbox
 * replies through their client; this package never imports the inbox, which depends on it.
 */
import type { ChatsApi } from '@ym-chats/sdk';
import type { NotificationHandler } from '../receiver/handler.js';
import {
  listenForPushes,
  type Mount,
  type PushListener,
  type PushListenerOptions,
  type PushRoute,
} from '../receiver/server.js';

/** Businesses being served: what the push endpoint needs from them, and their lifecycle. */
export interface ServedBusinesses {
  /** Accepts the pushes of the businesses served and wakes whoever acts on them. */
  readonly handler: NotificationHandler;
  /** Replies from the mounted app (for many businesses, a client that picks each one's credential). */
  readonly api: ChatsApi;
  /** Called once the endpoint listens: start acting (passes, the queue) if that has not begun. */
  begin(): void;
  /** Stops them and hands them over (queued pushes stay in the store). */
  stop(): Promise<void>;
}

/** How to start a set of businesses: `oneBusiness(…)`, or `registeredBusinesses(…)` from the workers. */
export interface BusinessesSource<R extends ServedBusinesses> {
  start(): Promise<R>;
}

/** An app answering its own paths on the push endpoint's port (one port is one thing to put behind TLS). */
export interface MountedApp extends Mount {
  close?(): void | Promise<void>;
  /**
   * An app with a router of its own (the inbox) takes the push endpoint as one of its routes: then its
   * `listener` answers the whole port, pushes included, and the port has one HTTP layer. Without it the
   * receiver answers pushes and hands the app the paths it `handles`.
   */
  routePush?(push: PushRoute): void;
}

export interface ServeOptions<R extends ServedBusinesses>
  extends Omit<PushListenerOptions, 'handler' | 'mount' | 'router'> {
  businesses: BusinessesSource<R>;
  /** Made once the businesses run, before the port opens. */
  app?: (businesses: R) => MountedApp | Promise<MountedApp>;
}

export interface Serving<R extends ServedBusinesses> {
  url: string;
  /** The full push endpoint URL to configure on the platform. */
  endpoint: string;
  businesses: R;
  app: MountedApp | undefined;
  /** Closes the port, then the app, then stops the businesses. */
  close(): Promise<void>;
}

/** The app answers the push path itself, so no push would reach the endpoint. */
export class PushPathTakenError extends Error {
  override name = 'PushPathTakenError';
  constructor(readonly path: string) {
    super(`${path} is one of the mounted app's own paths, so no push would reach the receiver`);
  }
}

/** The port did not open (in use, not allowed); nothing is left running. `cause` has the system's error. */
export class ListenError extends Error {
  override name = 'ListenError';
  /** The system's code (`EADDRINUSE`, `EACCES`, …), as on the error `listen` gave. */
  readonly code: string | undefined;
  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    const code = (cause as { code?: unknown } | undefined)?.code;
    super(`cannot listen on ${host}:${port} (${typeof code === 'string' ? code : String(cause)})`, { cause });
    this.code = typeof code === 'string' ? code : undefined;
  }
}

export async function serve<R extends ServedBusinesses>(options: ServeOptions<R>): Promise<Serving<R>> {
  const { businesses: source, app: makeApp, ...http } = options;
  const businesses = await source.start();
  let app: MountedApp | undefined;
  let listening: PushListener;
  try {
    app = makeApp === undefined ? undefined : await makeApp(businesses);
    const pushPath = `${(http.basePath ?? '').replace(/\/+$/, '')}/notification`;
    if (app?.handles(pushPath)) throw new PushPathTakenError(pushPath);
    try {
      const mounted = app;
      listening = await listenForPushes({
        ...http,
        handler: businesses.handler,
        ...(mounted === undefined
          ? {}
          : mounted.routePush
            ? {
                router: (push: PushRoute) => {
                  mounted.routePush?.(push);
                  return mounted.listener;
                },
              }
            : { mount: mounted }),
      });
    } catch (error) {
      throw new ListenError(http.host ?? '127.0.0.1', http.port ?? 0, error);
    }
  } catch (error) {
    await app?.close?.();
    await businesses.stop();
    throw error;
  }
  businesses.begin();
  return {
    url: listening.url,
    endpoint: listening.endpoint,
    businesses,
    app,
    async close() {
      await listening.close();
      await app?.close?.();
      await businesses.stop();
    },
  };
}

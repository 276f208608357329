/**
 * The push endpoint, `POST /notification`. It never calls the API before answering: PING is answered at
 * once, a chat notification is written to the store's inbound queue and then acknowledged, so a crash
 * after the 200 loses nothing and the platform's 10 s timeout is never at risk. Redeliveries are
 * recognised by the queue and acknowledged again.
 *
 * `handleNotification` is framework-neutral (text in, status and JSON out); `notificationListener` wraps
 * it as a node:http request listener, which Express and Connect-style routers can mount as is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  PUSH_BODY_LIMIT_BYTES,
  type PushAnswer,
  type PushErrorAnswer,
  parseNotification,
  pushAnswer,
  pushBodyTooLarge,
  pushError,
  readPushBody,
  writePushAnswer,
} from '@ym-chats/sdk';
import pkg from '../../package.json' with { type: 'json' };
import type { SyncStore } from '../store/store.js';
import { isoNow } from '../time.js';
import type { PeerPolicy } from './peer.js';

/** The SDK's, under the name this package has always exported. */
export const BODY_LIMIT_BYTES = PUSH_BODY_LIMIT_BYTES;

/** The SDK's answer shapes (`pushAnswer`, `pushError`), as the spec has them. */
export type NotificationAnswer = PushAnswer | PushErrorAnswer;

export interface HandlerOptions {
  store: SyncStore;
  /** The one business served; chat notifications for others are acknowledged and ignored. */
  businessId?: bigint;
  /**
   * Instead of `businessId`: whether a business is served (e.g. registered in the store, for workers
   * sharing many businesses). A rejection answers 500, so the platform delivers the push again.
   */
  accepts?: (businessId: bigint) => boolean | Promise<boolean>;
  /** Shown in the 200 answer (`name`, `version`). */
  name?: string;
  version?: string;
  /** Called after a new chat notification is queued (the processor wakes up). */
  onQueued?: (businessId: bigint) => void;
  now?: () => number;
}

export interface HandlerStats {
  pings: number;
  queued: number;
  duplicates: number;
  ignored: number;
  malformed: number;
  failed: number;
  /** Refused by the source allow-list. */
  forbidden: number;
}

export class NotificationHandler {
  readonly stats: HandlerStats = {
    pings: 0,
    queued: 0,
    duplicates: 0,
    ignored: 0,
    malformed: 0,
    failed: 0,
    forbidden: 0,
  };

  constructor(private readonly options: HandlerOptions) {
    if ((options.businessId === undefined) === (options.accepts === undefined)) {
      throw new TypeError('NotificationHandler: give either businessId or accepts');
    }
  }

  private serves(businessId: bigint): boolean | Promise<boolean> {
    const { accepts } = this.options;
    return accepts === undefined ? businessId === this.options.businessId : accepts(businessId);
  }

  private ok(): NotificationAnswer {
    // The version's one home is package.json (changesets bumps it); the build inlines it.
    return pushAnswer(
      { version: this.options.version ?? pkg.version, name: this.options.name },
      (this.options.now ?? Date.now)(),
    );
  }

  /** Answers one notification body. */
  async handle(text: string): Promise<NotificationAnswer> {
    const parsed = parseNotification(text);
    switch (parsed.kind) {
      case 'ping':
        this.stats.pings += 1;
        return this.ok();
      case 'other':
        this.stats.ignored += 1;
        return this.ok();
      case 'malformed':
        this.stats.malformed += 1;
        return pushError(400, 'WRONG_EVENT_FORMAT', parsed.message);
      case 'chat': {
        try {
          const businessId = parsed.notification.businessId;
          if (!(await this.serves(businessId))) {
            this.stats.ignored += 1;
            return this.ok();
          }
          const fresh = await this.options.store.enqueue(parsed.notification, isoNow(this.options.now));
          if (fresh) {
            this.stats.queued += 1;
            this.options.onQueued?.(businessId);
          } else this.stats.duplicates += 1;
          return this.ok();
        } catch {
          // Not stored, so not acknowledged: the platform delivers it again later.
          this.stats.failed += 1;
          return pushError(500, 'UNKNOWN', 'could not store the notification');
        }
      }
    }
  }

  /**
   * A node:http listener for `POST {basePath}/notification`; `peers` adds the source allow-list (403 for
   * anyone outside it) and which proxies' `X-Forwarded-For` is believed.
   */
  listener(basePath = '', peers?: PeerPolicy): (req: IncomingMessage, res: ServerResponse) => void {
    const path = `${basePath.replace(/\/+$/, '')}/notification`;
    return (req, res) => {
      if (peers !== undefined && !peers.allows(req)) {
        this.stats.forbidden += 1;
        writePushAnswer(res, pushError(403, 'UNKNOWN', 'source not allowed'));
        req.resume();
        return;
      }
      void this.serve(req, res, path).catch(() => {
        if (!res.headersSent) writePushAnswer(res, pushError(500, 'UNKNOWN', 'internal error'));
      });
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const url = (req.url ?? '/').split('?')[0];
    if (url !== path) {
      // The path may hold a secret segment: never echo it to whoever guessed wrong.
      writePushAnswer(res, pushError(404, 'UNKNOWN', 'no such endpoint'));
      req.resume();
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      writePushAnswer(res, pushError(405, 'UNKNOWN', 'notifications are POSTed'));
      req.resume();
      return;
    }
    // A framework that already parsed the body (express.json()) leaves it on req.body.
    const preParsed = (req as IncomingMessage & { body?: unknown }).body;
    let text: string;
    if (typeof preParsed === 'string') text = preParsed;
    else if (preParsed !== undefined && preParsed !== null && !Buffer.isBuffer(preParsed))
      text = JSON.stringify(preParsed);
    else if (Buffer.isBuffer(preParsed)) text = preParsed.toString('utf8');
    else {
      const read = await readPushBody(req);
      if (read === undefined) {
        writePushAnswer(res, pushBodyTooLarge());
        return;
      }
      text = read;
    }
    writePushAnswer(res, await this.handle(text));
  }
}

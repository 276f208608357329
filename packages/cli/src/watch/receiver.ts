/**
 * Notification mode of `watch`: a small HTTP endpoint for the platform's push notifications. On
 * CHAT_MESSAGE_SENT it fetches the message and prints it. The platform retries until it gets a 200, so
 * duplicates are expected: a message is printed once. A fetch that may succeed later (network, 5xx, quota,
 * credentials being fixed) answers 500 to be retried; one that never can (the message or chat is 404, the
 * ids are refused) is acknowledged with a 200 and reported, since the platform would otherwise retry it
 * for days and may switch the endpoint off.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BadRequestError,
  type ChatNotification,
  type ChatsApi,
  createLimitedServer,
  type Id,
  NotFoundError,
  parseNotification,
  pushAnswer,
  pushBodyTooLarge,
  pushError,
  readPushBody,
  ValidationError,
  writePushAnswer,
} from '@ym-chats/sdk';
import { VERSION } from '../help.js';
import { parseId } from '../ids.js';
import type { Output } from '../output/output.js';
import type { MessagePrinter } from './printer.js';

/** The platform gives up after 10 s; answer before that even if the API is slow. */
const FETCH_TIMEOUT_MS = 8000;

/** The spec's 200 (`version`, `name`, `time`): PING and every notification acknowledged. */
const ok = () => pushAnswer({ version: VERSION });

/** A parsed id as the CLI carries ids: a number while exact, a bigint above 2^53. */
const cliId = (id: bigint | string, what: string): Id => parseId(String(id), what);

export class NotificationReceiver {
  private server: Server | undefined;
  /** Deliveries of the same message that overlap share one fetch. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Requests being handled, so stopping lets each one finish its answer first. */
  private readonly handling = new Set<Promise<void>>();

  constructor(
    private readonly api: ChatsApi,
    private readonly businessId: Id,
    private readonly printer: MessagePrinter,
    private readonly out: Output,
  ) {}

  async listen(port: number, host: string): Promise<string> {
    // Connection limits from this process's descriptor limit: a flood of idle connections cannot starve
    // the platform's PINGs.
    const server = createLimitedServer((req, res) => {
      const job = this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          writePushAnswer(res, pushError(500, 'UNKNOWN', error instanceof Error ? error.message : 'error'));
      });
      this.handling.add(job);
      void job.finally(() => this.handling.delete(job));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    return `http://${host}:${address.port}/`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // The event that hit --max-events is still being answered; a platform that got no 200 would resend it.
    await Promise.race([
      Promise.allSettled([...this.handling]),
      new Promise((r) => setTimeout(r, 2000).unref()),
    ]);
    server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      writePushAnswer(res, pushError(405, 'UNKNOWN', 'notifications are POSTed as JSON'));
      req.resume();
      return;
    }
    const text = await readPushBody(req);
    if (text === undefined) {
      writePushAnswer(res, pushBodyTooLarge());
      return;
    }
    const parsed = parseNotification(text);
    if (parsed.kind === 'malformed') {
      writePushAnswer(res, pushError(400, 'WRONG_EVENT_FORMAT', parsed.message));
      return;
    }
    if (parsed.kind === 'chat') {
      const event = parsed.notification;
      if (event.type === 'CHAT_MESSAGE_SENT') {
        await this.onMessage(event, res);
        return;
      }
      if (String(event.businessId) === String(this.businessId) && !this.out.json) {
        const what = event.type === 'CHAT_CREATED' ? 'new chat' : event.type.toLowerCase().replace(/_/g, ' ');
        this.out.info(this.out.e.dim(`${what}: chat ${event.chatId}`));
      }
    }
    // PING and every type this version does not handle get a 200, so the platform keeps them flowing.
    writePushAnswer(res, ok());
  }

  private async onMessage(event: ChatNotification, res: ServerResponse): Promise<void> {
    const { businessId } = event;
    const chatId = cliId(event.chatId, 'chat id');
    const messageId = cliId(event.messageId ?? '', 'message id');
    if (String(businessId) !== String(this.businessId)) {
      this.out.warn(`notification for business ${businessId} ignored (watching ${String(this.businessId)})`);
      writePushAnswer(res, ok());
      return;
    }
    if (this.printer.has(chatId, messageId)) {
      writePushAnswer(res, ok());
      return;
    }
    const key = `${chatId}:${messageId}`;
    let job = this.inFlight.get(key);
    if (!job) {
      job = this.fetchAndPrint(chatId, messageId).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, job);
    }
    try {
      await job;
      writePushAnswer(res, ok());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (
        error instanceof NotFoundError ||
        error instanceof BadRequestError ||
        error instanceof ValidationError
      ) {
        this.out.warn(
          `cannot act on the notification for message ${messageId} of chat ${chatId}: ${message}; ` +
            'acknowledged so the platform stops resending it',
        );
        writePushAnswer(res, ok());
        return;
      }
      this.out.warn(
        `could not fetch message ${messageId} of chat ${chatId}: ${message}; the platform will retry`,
      );
      writePushAnswer(res, pushError(500, 'UNKNOWN', 'could not fetch the message; retry later'));
    }
  }

  private async fetchAndPrint(chatId: Id, messageId: Id): Promise<void> {
    const { result } = await this.api.getChatMessage(this.businessId, chatId, messageId, {
      timeoutMs: FETCH_TIMEOUT_MS,
      maxRetries: 1,
    });
    this.printer.print(chatId, result);
  }
}

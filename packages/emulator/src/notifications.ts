/**
 * Push notifications to the seller's endpoint, with retries on a compressed schedule. Production retries
 * every minute for an hour, then every 15 minutes, then hourly; here the gaps are milliseconds to seconds so
 * a receiver can be tested end to end. Timers run on real time, not the admin clock.
 */
import { isoMsk } from './time.js';

export type ChatNotification =
  | { notificationType: 'CHAT_CREATED'; businessId: number; chatId: number; createdAt: string }
  | {
      notificationType: 'CHAT_MESSAGE_SENT';
      businessId: number;
      chatId: number;
      messageId: string;
      sentAt: string;
    }
  | { notificationType: 'CHAT_ARBITRAGE_STARTED'; businessId: number; chatId: number; startedAt: string }
  | { notificationType: 'CHAT_ARBITRAGE_FINISHED'; businessId: number; chatId: number; finishedAt: string };

export interface NotificationSettings {
  url: string;
  retryScheduleMs?: number[];
  /** Per-attempt timeout; production waits 10 s. */
  timeoutMs?: number;
}

export const DEFAULT_RETRY_SCHEDULE_MS = [1000, 2000, 5000, 10_000, 30_000, 60_000];
const DEFAULT_TIMEOUT_MS = 10_000;

export interface DeliveryAttempt {
  at: string;
  status?: number;
  error?: string;
}

export interface Delivery {
  id: number;
  url: string;
  body: ChatNotification;
  state: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
}

const LOG_LIMIT = 1000;

export class Notifier {
  private settings: NotificationSettings | undefined;
  private readonly log: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly controllers = new Set<AbortController>();
  private nextId = 1;
  private closed = false;

  constructor(settings?: NotificationSettings) {
    this.settings = settings;
  }

  configure(settings: NotificationSettings | undefined): void {
    this.settings = settings;
  }

  get config(): NotificationSettings | undefined {
    return this.settings;
  }

  chatCreated(businessId: number, chatId: number, at: number): void {
    this.emit({ notificationType: 'CHAT_CREATED', businessId, chatId, createdAt: isoMsk(at) });
  }

  messageSent(businessId: number, chatId: number, messageId: number, at: number): void {
    this.emit({
      notificationType: 'CHAT_MESSAGE_SENT',
      businessId,
      chatId,
      messageId: String(messageId),
      sentAt: isoMsk(at),
    });
  }

  arbitrageStarted(businessId: number, chatId: number, at: number): void {
    this.emit({ notificationType: 'CHAT_ARBITRAGE_STARTED', businessId, chatId, startedAt: isoMsk(at) });
  }

  arbitrageFinished(businessId: number, chatId: number, at: number): void {
    this.emit({ notificationType: 'CHAT_ARBITRAGE_FINISHED', businessId, chatId, finishedAt: isoMsk(at) });
  }

  deliveries(): Delivery[] {
    return this.log.map((d) => ({ ...d, attempts: [...d.attempts] }));
  }

  clearLog(): void {
    this.log.length = 0;
  }

  /** Stops retries and aborts requests in flight. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
  }

  private emit(body: ChatNotification): void {
    const settings = this.settings;
    if (!settings || this.closed) return;
    const delivery: Delivery = { id: this.nextId++, url: settings.url, body, state: 'pending', attempts: [] };
    this.log.push(delivery);
    if (this.log.length > LOG_LIMIT) this.log.shift();
    void this.attempt(delivery, settings);
  }

  private async attempt(delivery: Delivery, settings: NotificationSettings): Promise<void> {
    if (this.closed) return;
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(), settings.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const attempt: DeliveryAttempt = { at: new Date().toISOString() };
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(delivery.body),
        signal: controller.signal,
        // A redirect is the receiver's answer, not a new address to post to: following it would let
        // whoever answers the configured URL point the emulator's requests anywhere.
        redirect: 'manual',
      });
      attempt.status = response.status;
      if (response.status >= 300 && response.status < 400)
        attempt.error = `redirect to ${response.headers.get('location') ?? '(no location)'} not followed`;
      await response.arrayBuffer().catch(() => undefined);
    } catch (err) {
      attempt.error =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    } finally {
      clearTimeout(timeout);
      this.controllers.delete(controller);
    }
    delivery.attempts.push(attempt);
    if (attempt.status === 200) {
      delivery.state = 'delivered';
      return;
    }
    const schedule = settings.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
    const gap = schedule[delivery.attempts.length - 1];
    if (gap === undefined || this.closed) {
      delivery.state = 'failed';
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(delivery, settings);
    }, gap);
    this.timers.add(timer);
  }
}

/**
 * What `ym-chats demo` (and so `npm start`) runs beside the emulator: a sync store, the push receiver the
 * emulator's notifications point at, the web inbox on the same port, and a simulated buyer who writes now
 * and then — so a newcomer sees a buyer's message land in the inbox without reloading.
 */
import { ChatsApi } from '@ym-chats/sdk';
import { loadSync } from './commands/sync.js';
import type { Companion, StartCompanion } from './emulator-run.js';
import { UsageError } from './errors.js';
import { openCliInbox } from './inbox-run.js';
import { loadOptional } from './optional-package.js';

export interface DemoInboxSettings {
  store: string;
  port: number;
  /** Seconds between the simulated buyer's messages; 0 switches the buyer off. */
  buyerEverySeconds: number;
  cwd: string;
  /** What to say when the port is taken. */
  portTakenHint: string;
}

const BUYER_LINES = [
  'Здравствуйте! Подскажите, когда приедет заказ?',
  'Добрый день, курьер не пришёл в назначенное время.',
  'Можно поменять пункт выдачи?',
  'Hi! Is this item still under warranty?',
  'Пришёл не тот цвет, что делать?',
  'Спасибо, всё получил!',
];

/** Buyer messages go to chats the emulator already has, picked at random, through its admin API. */
function startBuyer(
  adminClient: import('@ym-chats/emulator').AdminClient,
  businessId: number,
  chatIds: number[],
  everySeconds: number,
  onError: (error: unknown) => void,
): () => void {
  if (everySeconds === 0 || chatIds.length === 0) return () => {};
  let turn = 0;
  const timer = setInterval(() => {
    const chatId = chatIds[Math.floor(Math.random() * chatIds.length)]!;
    const message = BUYER_LINES[turn++ % BUYER_LINES.length]!;
    adminClient.postMessage(businessId, chatId, { sender: 'CUSTOMER', message }).catch(onError);
  }, everySeconds * 1000);
  return () => clearInterval(timer);
}

export function demoInbox(settings: DemoInboxSettings, warn: (line: string) => void): StartCompanion {
  return async (info, adminToken) => {
    const sync = await loadSync();
    const { AdminClient } = await loadOptional(
      '@ym-chats/emulator',
      () => import('@ym-chats/emulator'),
      'the demo inbox',
    );
    const api = new ChatsApi({ apiKey: info.apiKey, baseUrl: info.url, pathPrefix: '/v2' });
    const store = await sync.openStore(settings.store, { onWarning: warn });
    const cleanups: (() => Promise<void> | void)[] = [() => store.close()];
    const close = async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    };
    try {
      const inbox = await openCliInbox(store, {
        api,
        businessIds: [info.businessId],
        files: { baseUrl: info.url, apiKey: info.apiKey },
        host: '127.0.0.1',
        cwd: settings.cwd,
      });
      cleanups.push(() => inbox.close());
      let receiver: Awaited<ReturnType<typeof sync.startReceiver>>;
      try {
        receiver = await sync.startReceiver({
          api,
          store,
          businessId: info.businessId,
          port: settings.port,
          host: '127.0.0.1',
          reconcileMinutes: 5,
          mount: inbox,
          onError: (error, where) =>
            warn(`${where}: ${error instanceof Error ? error.message : String(error)}`),
        });
      } catch (error) {
        if ((error as { code?: string }).code === 'EADDRINUSE') {
          throw new UsageError(
            `port ${settings.port} for the inbox is already in use`,
            settings.portTakenHint,
          );
        }
        throw error;
      }
      cleanups.push(() => receiver.close());
      const admin = new AdminClient(info.url, adminToken);
      await admin.configureNotifications({ url: receiver.endpoint });
      // The first reconciling pass fills the store; the buyer writes to the chats it knows.
      await receiver.reconcile();
      const chatIds = (await store.chats(BigInt(info.businessId), { limit: 50 })).map((c) =>
        Number(c.chatId),
      );
      cleanups.push(
        startBuyer(admin, info.businessId, chatIds, settings.buyerEverySeconds, (error) =>
          warn(`simulated buyer: ${error instanceof Error ? error.message : String(error)}`),
        ),
      );
      const companion: Companion = {
        lines: [
          `Inbox:  ${receiver.url}/   ← open this in a browser`,
          settings.buyerEverySeconds > 0
            ? `        a simulated buyer writes every ${settings.buyerEverySeconds} s; pushes land in ${settings.store}`
            : `        pushes land in ${settings.store}`,
        ],
        notifyUrl: receiver.endpoint,
        json: { inbox: `${receiver.url}/`, notificationEndpoint: receiver.endpoint, store: settings.store },
        close,
      };
      return companion;
    } catch (error) {
      await close();
      throw error;
    }
  };
}

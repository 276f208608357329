import { resolve } from 'node:path';
import { flag, numberFlag, str, strs } from '../args.js';
import { UsageError } from '../errors.js';
import { listValues } from '../ids.js';
import { Poller } from '../watch/poller.js';
import { MessagePrinter } from '../watch/printer.js';
import { NotificationReceiver } from '../watch/receiver.js';
import { loadState } from '../watch/state-file.js';
import type { Command } from './command.js';

const SENDERS = ['CUSTOMER', 'PARTNER', 'MARKET', 'SUPPORT'];

export const watchCommand: Command = {
  name: 'watch',
  summary: 'follow new messages across all chats (polling, or push notifications with --listen)',
  usage:
    'watch [--interval S] [--all-history] [--state FILE] [--listen PORT] [--sender S] [--max-events N] [--duration S]',
  description:
    'Prints every new message of the business once, as it arrives. By default it polls: every --interval ' +
    'seconds it lists the chats (one getChats call per 20 chats) and reads only the chats that changed; it ' +
    'warns when the interval would exceed the hourly getChats quota. With --listen PORT it instead runs a ' +
    "receiver on 127.0.0.1:PORT for the platform's push notifications (CHAT_MESSAGE_SENT → getChatMessage), " +
    'answering PING and ignoring duplicates. Starts from now unless --all-history. --json prints one JSON ' +
    'object per line. Stops on Ctrl+C, after --max-events messages or after --duration seconds.',
  options: {
    interval: { type: 'string', arg: 'S', help: 'seconds between polls (default 10; fractions allowed)' },
    'all-history': { type: 'boolean', help: 'print the existing messages first, then follow' },
    'since-start': { type: 'boolean', help: 'same as --all-history' },
    state: {
      type: 'string',
      arg: 'FILE',
      help: 'remember what was seen in FILE, so a restart resumes without repeats',
    },
    listen: {
      type: 'string',
      arg: 'PORT',
      help: 'receive push notifications on 127.0.0.1:PORT instead of polling (0: any port)',
    },
    sender: {
      type: 'string',
      multiple: true,
      arg: 'S',
      help: `only messages from these senders: ${SENDERS.join(', ')}`,
    },
    'max-events': { type: 'string', arg: 'N', help: 'stop after printing N messages' },
    duration: { type: 'string', arg: 'S', help: 'stop after S seconds' },
  },
  positionals: { min: 0, max: 0, names: '' },
  examples: [
    ['watch', 'print new messages as they come (polls every 10 s)'],
    ['watch --sender CUSTOMER --json | my-bot', 'feed buyer messages to a script, one JSON per line'],
    ['watch --listen 9000', 'receive push notifications on http://127.0.0.1:9000/'],
  ],
  usesApi: true,
  async run(ctx) {
    const { values, out } = ctx;
    const interval = numberFlag(values, 'interval', { min: 0.1, max: 86_400, integer: false }) ?? 10;
    const maxEvents = numberFlag(values, 'max-events', { min: 1, max: Number.MAX_SAFE_INTEGER });
    const duration = numberFlag(values, 'duration', { min: 0.1, max: 31_536_000, integer: false });
    const listen = numberFlag(values, 'listen', { min: 0, max: 65535 });
    const allHistory = flag(values, 'all-history') || flag(values, 'since-start');
    const senderList = listValues(strs(values, 'sender')).map((s) => s.toUpperCase());
    for (const s of senderList) {
      if (!SENDERS.includes(s))
        throw new UsageError(`--sender ${s} is not a known sender`, `Known: ${SENDERS.join(', ')}.`);
    }
    const statePath = str(values, 'state');
    if (listen !== undefined && (allHistory || statePath !== undefined)) {
      throw new UsageError(
        '--listen cannot be combined with --all-history or --state',
        'Those apply to polling mode.',
      );
    }
    const { api, businessId } = ctx.connect();

    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const timer = duration === undefined ? undefined : setTimeout(stop, duration * 1000);
    const printer = new MessagePrinter(
      out,
      senderList.length > 0 ? new Set(senderList) : undefined,
      (count) => {
        if (maxEvents !== undefined && count >= maxEvents) stop();
      },
    );
    try {
      if (listen !== undefined) {
        const receiver = new NotificationReceiver(api, businessId, printer, out);
        let url: string;
        try {
          url = await receiver.listen(listen, '127.0.0.1');
        } catch (error) {
          const code = (error as { code?: string }).code;
          throw new UsageError(
            `cannot listen on 127.0.0.1:${listen} (${code ?? 'error'})`,
            'Pick another port with --listen PORT (0 for any free port).',
          );
        }
        out.info(
          `Listening for push notifications on ${url} (business ${String(businessId)}). ` +
            'Point the notification URL of your app at it (through a tunnel for the real platform). Ctrl+C to stop.',
        );
        await new Promise<void>((done) => {
          if (controller.signal.aborted) done();
          else controller.signal.addEventListener('abort', () => done(), { once: true });
        });
        await receiver.close();
      } else {
        const state =
          statePath === undefined ? undefined : loadState(resolve(ctx.io.cwd, statePath), String(businessId));
        const poller = new Poller(api, businessId, printer, out, {
          intervalMs: Math.round(interval * 1000),
          allHistory,
          signal: controller.signal,
          ...(statePath === undefined ? {} : { statePath: resolve(ctx.io.cwd, statePath) }),
          ...(state === undefined ? {} : { state }),
        });
        try {
          await poller.run();
        } catch (error) {
          // Stopping (Ctrl+C, --duration, --max-events) cancels calls in flight; that is not a failure.
          if (!controller.signal.aborted) throw error;
        }
      }
    } finally {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    out.info(`Stopped after ${printer.printed} message${printer.printed === 1 ? '' : 's'}.`);
    return 0;
  },
};

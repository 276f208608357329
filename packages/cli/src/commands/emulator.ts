import { flag, numberFlag, str, strs } from '../args.js';
import { runEmulator } from '../emulator-run.js';
import { UsageError } from '../errors.js';
import type { Command } from './command.js';

export const DEFAULT_PORT = 8080;
export const EMULATOR_API_KEY = 'emulator-api-key';
export const EMULATOR_OAUTH_TOKEN = 'emulator-oauth-token';
export const EMULATOR_BUSINESS_ID = 1001;

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'run the local Chats API emulator (port, db file, seed, credentials)',
  usage: 'emulator [--port 8080] [--host 127.0.0.1] [--db FILE] [--seed N] [--api-key K] [--business-id B] …',
  description:
    'Starts a local emulator of the Yandex Market chat API and prints its base URL, the credentials it ' +
    'accepts and ready-to-paste ym-chats commands. Data lives in memory unless --db names a SQLite file. ' +
    'Here --api-key, --oauth-token and --business-id set what the emulator accepts. Runs until Ctrl+C.',
  options: {
    port: { type: 'string', arg: 'N', help: `port (default ${DEFAULT_PORT}; 0 picks a free one)` },
    host: {
      type: 'string',
      arg: 'HOST',
      help: 'interface to bind (default 127.0.0.1; any other needs YM_EMULATOR_ADMIN_TOKEN set)',
    },
    'allow-host': {
      type: 'string',
      multiple: true,
      arg: 'NAME',
      help: 'also answer requests for this host name (IP addresses and localhost always work)',
    },
    db: {
      type: 'string',
      arg: 'FILE',
      help: 'SQLite file keeping the state across restarts (default: in memory)',
    },
    seed: { type: 'string', arg: 'N', help: 'fill an empty business with deterministic demo chats' },
    'notify-url': {
      type: 'string',
      arg: 'URL',
      help: 'POST push notifications (CHAT_MESSAGE_SENT, …) to this URL',
    },
    'no-quotas': { type: 'boolean', help: 'switch off hourly quotas and the 4-parallel-requests cap' },
  },
  positionals: { min: 0, max: 0, names: '' },
  examples: [
    ['emulator --seed 1', 'in-memory emulator with demo data on port 8080'],
    ['emulator --port 0 --db ./chats.sqlite', 'any free port, state kept in a file'],
    [
      'emulator --seed 1 --notify-url http://127.0.0.1:9000/',
      'push notifications to `ym-chats watch --listen 9000`',
    ],
  ],
  usesApi: false,
  async run(ctx) {
    const { values, out, io } = ctx;
    const port = numberFlag(values, 'port', { min: 0, max: 65535 }) ?? DEFAULT_PORT;
    const seed = numberFlag(values, 'seed', { min: 0, max: 2 ** 32 - 1 });
    const businessId =
      numberFlag(values, 'business-id', { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? EMULATOR_BUSINESS_ID;
    const notifyUrl = str(values, 'notify-url');
    if (notifyUrl !== undefined && !/^https?:\/\/\S+$/.test(notifyUrl)) {
      throw new UsageError(`--notify-url must be an http(s) URL, got "${notifyUrl}"`);
    }
    const apiKey = str(values, 'api-key') ?? EMULATOR_API_KEY;
    const oauthToken = str(values, 'oauth-token') ?? EMULATOR_OAUTH_TOKEN;
    const db = str(values, 'db');
    return runEmulator(
      out,
      {
        port,
        host: str(values, 'host') ?? '127.0.0.1',
        allowHosts: strs(values, 'allow-host'),
        ...(db === undefined ? {} : { db }),
        ...(seed === undefined ? {} : { seed }),
        ...(notifyUrl === undefined ? {} : { notifyUrl }),
        apiKey,
        oauthToken,
        businessId,
        quotas: !flag(values, 'no-quotas'),
      },
      (info) => [
        'Use it with ym-chats (in another terminal):',
        `  ${io.self} chats --base-url ${info.url} --api-key ${info.apiKey} --business-id ${info.businessId}`,
        'or set it once for the shell:',
        `  export YM_BASE_URL=${info.url} YM_API_KEY=${info.apiKey} YM_BUSINESS_ID=${info.businessId}`,
        `  ${io.self} chats --all`,
        `  ${io.self} history ${info.sampleChatId ?? '<chatId>'}`,
        '',
        'Press Ctrl+C to stop.',
      ],
    );
  },
};

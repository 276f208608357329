import { existsSync, rmSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { flag, numberFlag, str } from '../args.js';
import { demoInbox } from '../demo-inbox.js';
import { runEmulator } from '../emulator-run.js';
import type { Io } from '../io.js';
import type { Command } from './command.js';
import { DEFAULT_PORT, EMULATOR_API_KEY, EMULATOR_BUSINESS_ID, EMULATOR_OAUTH_TOKEN } from './emulator.js';

export const DEMO_DB = '.ym-chats/demo.sqlite';
export const DEMO_STORE = '.ym-chats/demo-store.sqlite';
const DEMO_INBOX_PORT = 8090;
const DEMO_BUYER_SECONDS = 45;
const DEMO_SEED = 1;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the web inbox on a local emulator with demo chats and a simulated buyer (no account needed)',
  usage: 'demo [--port 8080] [--inbox-port 8090] [--db FILE] [--buyer-every S] [--reset]',
  description:
    'The quickest way in: starts the emulator on 127.0.0.1 with seeded demo chats, kept in ' +
    `${DEMO_DB} under the current directory so your changes survive restarts; mirrors them into a sync ` +
    `store (${DEMO_STORE}) and serves the web inbox over it, with the emulator's push notifications ` +
    'pointed at it and a simulated buyer who writes now and then. Prints the inbox address and the ' +
    'commands to try from another terminal, including a curl that plays the buyer. Runs until Ctrl+C.',
  options: {
    port: { type: 'string', arg: 'N', help: `emulator port (default ${DEFAULT_PORT}; 0 picks a free one)` },
    'inbox-port': {
      type: 'string',
      arg: 'N',
      help: `inbox and push endpoint port (default ${DEMO_INBOX_PORT}; 0 picks a free one)`,
    },
    'buyer-every': {
      type: 'string',
      arg: 'S',
      help: `seconds between the simulated buyer's messages (default ${DEMO_BUYER_SECONDS}; 0: none)`,
    },
    db: { type: 'string', arg: 'FILE', help: `database file (default ${DEMO_DB})` },
    reset: { type: 'boolean', help: 'delete the database and the store first; start from fresh demo data' },
  },
  positionals: { min: 0, max: 0, names: '' },
  examples: [
    ['demo', 'inbox on http://127.0.0.1:8090/, emulator on http://127.0.0.1:8080'],
    ['demo --port 9090 --inbox-port 9091 --reset', 'other ports, fresh data'],
    ['demo --buyer-every 0', 'no simulated buyer'],
  ],
  usesApi: false,
  async run(ctx) {
    const { values, out, io } = ctx;
    const port = numberFlag(values, 'port', { min: 0, max: 65535 }) ?? DEFAULT_PORT;
    const inboxPort = numberFlag(values, 'inbox-port', { min: 0, max: 65535 }) ?? DEMO_INBOX_PORT;
    const buyerEverySeconds =
      numberFlag(values, 'buyer-every', { min: 0, max: 86_400 }) ?? DEMO_BUYER_SECONDS;
    const db = resolve(io.cwd, str(values, 'db') ?? DEMO_DB);
    // The store sits beside the emulator's database, so --db FILE keeps two demos apart.
    const store = resolve(dirname(db), basename(DEMO_STORE));
    const again = demoAgain(io);
    const portTakenHint = `Another demo may be running. Pick other ports: ${again} --port ${port === 18080 ? 28080 : 18080} --inbox-port ${inboxPort === 18090 ? 28090 : 18090} (0 picks any free port).`;
    if (flag(values, 'reset')) {
      for (const file of [db, store]) {
        for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) rmSync(file + suffix);
      }
    }
    return runEmulator(
      out,
      {
        port,
        host: '127.0.0.1',
        db,
        seed: DEMO_SEED,
        apiKey: EMULATOR_API_KEY,
        oauthToken: EMULATOR_OAUTH_TOKEN,
        businessId: EMULATOR_BUSINESS_ID,
        quotas: true,
        portTakenHint,
      },
      (info) => {
        const chat = info.sampleChatId ?? '<chatId>';
        const self = io.self;
        const commands: [string, string][] = [
          ['chats --all', 'every chat'],
          ['chats --status WAITING_FOR_PARTNER', 'buyers waiting for your answer'],
          [`history ${chat}`, 'one conversation'],
          [`send ${chat} "Hello! How can I help?"`, 'answer the buyer'],
          ['watch --interval 5', 'follow new messages (Ctrl+C to stop)'],
        ];
        const width = Math.max(...commands.map(([cmd]) => cmd.length));
        return [
          out.c.bold('Try it: open another terminal in this directory and paste'),
          `  export YM_BASE_URL=${info.url} YM_API_KEY=${info.apiKey} YM_BUSINESS_ID=${info.businessId}`,
          ...commands.map(([cmd, what]) => `  ${self} ${cmd.padEnd(width)}  # ${what}`),
          '',
          out.c.bold('Play the buyer (watch prints it within a few seconds):'),
          `  curl -s -X POST -H 'Content-Type: application/json' -d '{"sender":"CUSTOMER","message":"Where is my parcel?"}' ${info.url}/_emulator/businesses/${info.businessId}/chats/${chat}/messages`,
          '',
          `State is kept in ${db} (${again} --reset starts over). Press Ctrl+C to stop.`,
        ];
      },
      demoInbox({ store, port: inboxPort, buyerEverySeconds, cwd: io.cwd, portTakenHint }, (line) =>
        out.warn(line),
      ),
    );
  },
};

/**
 * How this demo is started again, in the form it was started: `npm start -- …` from the repository (the
 * README's form), `ym-chats demo …` otherwise — so a hint can be pasted as printed.
 */
export function demoAgain(io: Pick<Io, 'env' | 'self'>): string {
  return io.env.npm_lifecycle_event === 'start' ? 'npm start --' : `${io.self} demo`;
}

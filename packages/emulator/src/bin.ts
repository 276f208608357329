#!/usr/bin/env node
/** Starts the emulator on its own: `ym-chats-emulator --port 8080 --seed 1`. */
import { parseArgs } from 'node:util';
import { exposureWarning, startBanner } from './banner.js';
import { DEFAULT_BUSINESS_ID, type EmulatorOptions } from './emulator.js';
import { createEmulator, DEFAULT_PORT } from './index.js';
import { ADMIN_TOKEN_ENV, isLoopbackName } from './request-guard.js';
import { seedBusiness } from './seed.js';

const HELP = `Usage: ym-chats-emulator [options]

  --port N            port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host HOST         interface to bind (default 127.0.0.1; any other needs ${ADMIN_TOKEN_ENV})
  --allow-host NAME   also answer requests for this host name (repeatable; IPs and localhost always work)
  --db FILE           SQLite file that keeps state across restarts (default: in memory)
  --seed N            seed deterministic demo data for the business on start (if it has no chats)
  --api-key KEY       Api-Key to accept (default emulator-api-key)
  --oauth-token TOKEN OAuth token to accept (default emulator-oauth-token)
  --business-id N     business the credentials own (default ${DEFAULT_BUSINESS_ID})
  --scopes LIST       the credentials' scopes, comma-separated (default: all methods); e.g.
                      communication = a chat-only key, refused the order and return reads (403)
  --notify-url URL    POST push notifications (CHAT_*) to this URL
  --no-quotas         switch off hourly quotas and the 4-concurrent-requests cap
  --quota-scale X     multiply the hourly quotas by X (e.g. 0.01)
  --help              show this text
`;

function fail(message: string): never {
  process.stderr.write(`ym-chats-emulator: ${message}\n\n${HELP}`);
  process.exit(2);
}

function integer(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) fail(`--${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) fail(`--${name} must be between ${min} and ${max}, got ${raw}`);
  return n;
}

function parse(): { options: EmulatorOptions; port: number; host: string } {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-host': { type: 'string', multiple: true },
        db: { type: 'string' },
        seed: { type: 'string' },
        'api-key': { type: 'string' },
        'oauth-token': { type: 'string' },
        'business-id': { type: 'string' },
        scopes: { type: 'string' },
        'notify-url': { type: 'string' },
        'no-quotas': { type: 'boolean' },
        'quota-scale': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const str = (name: string) => values[name] as string | undefined;
  const port = integer('port', str('port'), 0, 65535) ?? DEFAULT_PORT;
  const businessId =
    integer('business-id', str('business-id'), 1, Number.MAX_SAFE_INTEGER) ?? DEFAULT_BUSINESS_ID;
  const seed = integer('seed', str('seed'), 0, 2 ** 32 - 1);
  const scaleRaw = str('quota-scale');
  let scale: number | undefined;
  if (scaleRaw !== undefined) {
    scale = Number(scaleRaw);
    if (!Number.isFinite(scale) || scale <= 0)
      fail(`--quota-scale must be a positive number, got "${scaleRaw}"`);
  }
  const scopesRaw = str('scopes');
  const scopes = scopesRaw?.split(',').map((x) => x.trim());
  if (scopes && !scopes.every((x) => /^[a-z][a-z:-]*$/.test(x)))
    fail(`--scopes must be scope names separated by commas, e.g. communication, got "${scopesRaw}"`);
  const notifyUrl = str('notify-url');
  if (notifyUrl !== undefined && !/^https?:\/\/\S+$/.test(notifyUrl))
    fail(`--notify-url must be an http(s) URL, got "${notifyUrl}"`);
  const options: EmulatorOptions = {
    credentials: [
      {
        apiKey: str('api-key') ?? 'emulator-api-key',
        oauthToken: str('oauth-token') ?? 'emulator-oauth-token',
        businessIds: [businessId],
        ...(scopes ? { scopes } : {}),
      },
    ],
    quotas: { enabled: values['no-quotas'] !== true, scale },
  };
  const allowHosts = values['allow-host'] as string[] | undefined;
  if (allowHosts) options.allowedHosts = allowHosts;
  // From the environment, not a flag: a flag would show the token to every user in the process list.
  const adminToken = process.env[ADMIN_TOKEN_ENV];
  if (adminToken) options.adminToken = adminToken;
  const host = str('host') ?? '127.0.0.1';
  if (!isLoopbackName(host) && !adminToken)
    fail(
      `--host ${host} would let other machines reset the data, read the credentials and redirect notifications; ` +
        `set ${ADMIN_TOKEN_ENV} to a secret first (admin requests then need it in X-Emulator-Admin-Token)`,
    );
  const db = str('db');
  if (db !== undefined) options.db = db;
  if (seed !== undefined) options.seed = seed;
  if (notifyUrl !== undefined) options.notifications = { url: notifyUrl };
  return { options, port, host };
}

async function main(): Promise<void> {
  const { options, port, host } = parse();
  const businessId = options.credentials?.[0]?.businessIds[0] ?? DEFAULT_BUSINESS_ID;
  // The library seeds DEFAULT_BUSINESS_ID; for another business the seed goes where the credentials point.
  const { seed, ...withoutSeed } = options;
  const emulator = createEmulator(businessId === DEFAULT_BUSINESS_ID ? options : withoutSeed);
  if (
    seed !== undefined &&
    businessId !== DEFAULT_BUSINESS_ID &&
    !emulator.store.businessHasChats(businessId)
  ) {
    seedBusiness(emulator.store, { seed, businessId, now: emulator.clock.now() });
  }
  await emulator.listen(port, host);
  process.stdout.write(`${startBanner(emulator, options)}\n`);
  const warning = exposureWarning(host, options);
  if (warning) process.stderr.write(`${warning}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: closing the emulator\n`);
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ym-chats-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

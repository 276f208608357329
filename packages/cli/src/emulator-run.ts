/**
 * Runs the emulator in this process for `ym-chats emulator` and `ym-chats demo`: start, print how to
 * use it, wait for Ctrl+C, close cleanly.
 */
import { ChatsApi } from '@ym-chats/sdk';
import { CliError, UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { loadOptional } from './optional-package.js';
import type { Output } from './output/output.js';
import { createPrivateFile } from './secret-file.js';

export interface EmulatorSettings {
  port: number;
  host: string;
  /** Host names besides IPs and localhost the emulator answers to. */
  allowHosts?: string[];
  db?: string;
  seed?: number;
  apiKey: string;
  oauthToken: string;
  businessId: number;
  notifyUrl?: string;
  quotas: boolean;
  /** What to say when the port is taken (the demo names both of its ports, in the form it was run). */
  portTakenHint?: string;
}

export interface StartedInfo {
  url: string;
  businessId: number;
  apiKey: string;
  sampleChatId: number | undefined;
}

type TryLines = (info: StartedInfo) => string[];

/** Something run beside the emulator until Ctrl+C (the demo's inbox): what to print, how to stop it. */
export interface Companion {
  lines: string[];
  /** Where the companion pointed the emulator's push notifications, for the banner. */
  notifyUrl?: string;
  json: Record<string, unknown>;
  close(): Promise<void>;
}

export type StartCompanion = (info: StartedInfo, adminToken: string | undefined) => Promise<Companion>;

/** A chat worth showing in the examples: one where the buyer waits for an answer, if any. */
async function sampleChat(url: string, settings: EmulatorSettings): Promise<number | undefined> {
  const api = new ChatsApi({ apiKey: settings.apiKey, baseUrl: url, pathPrefix: '/v2', maxRetries: 0 });
  try {
    const waiting = await api.getChats(
      settings.businessId,
      { statuses: ['WAITING_FOR_PARTNER'] },
      undefined,
      1,
    );
    const chat = waiting.result.chats[0];
    if (chat) return chat.chatId;
    const any = await api.getChats(settings.businessId, {}, undefined, 1);
    return any.result.chats[0]?.chatId;
  } catch {
    // The examples fall back to a placeholder; the emulator itself is fine.
    return undefined;
  }
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export async function runEmulator(
  out: Output,
  settings: EmulatorSettings,
  tryLines: TryLines,
  startCompanion?: StartCompanion,
): Promise<number> {
  // Loaded here so the API commands never pay for SQLite, and install without it.
  const {
    ADMIN_TOKEN_ENV,
    AdminClient,
    DEFAULT_BUSINESS_ID,
    createEmulator,
    exposureWarning,
    isLoopbackName,
    startBanner,
  } = await loadOptional('@ym-chats/emulator', () => import('@ym-chats/emulator'), 'running the emulator');
  // From the environment, never a flag: a flag would show the token in the process list.
  const adminToken = process.env[ADMIN_TOKEN_ENV] || undefined;
  if (!isLoopbackName(settings.host) && adminToken === undefined) {
    throw new UsageError(
      `listening on ${settings.host} would let other machines reset the data, read the credentials and redirect notifications`,
      `Set ${ADMIN_TOKEN_ENV} to a secret (the admin namespace will then require it in X-Emulator-Admin-Token), or keep --host 127.0.0.1.`,
    );
  }
  // The emulator's database holds its chats and the credentials it accepts.
  if (settings.db !== undefined) createPrivateFile(settings.db);
  const options: Parameters<typeof createEmulator>[0] = {
    credentials: [
      { apiKey: settings.apiKey, oauthToken: settings.oauthToken, businessIds: [settings.businessId] },
    ],
    quotas: { enabled: settings.quotas },
  };
  if (settings.db !== undefined) options.db = settings.db;
  if (settings.seed !== undefined) options.seed = settings.seed;
  if (settings.notifyUrl !== undefined) options.notifications = { url: settings.notifyUrl };
  if (adminToken !== undefined) options.adminToken = adminToken;
  if (settings.allowHosts !== undefined && settings.allowHosts.length > 0)
    options.allowedHosts = settings.allowHosts;
  let emulator: ReturnType<typeof createEmulator>;
  try {
    emulator = createEmulator(options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `the emulator could not start: ${message}`,
      EXIT.internal,
      settings.db ? `Check the database file ${settings.db} (delete it to start over).` : undefined,
    );
  }
  let url: string;
  try {
    url = await emulator.listen(settings.port, settings.host);
  } catch (error) {
    await emulator.close();
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new UsageError(
        `port ${settings.port} on ${settings.host} is already in use`,
        settings.portTakenHint ??
          'Pick another with --port N (or --port 0 for any free port). Is another emulator running?',
      );
    }
    throw new UsageError(`cannot listen on ${settings.host}:${settings.port} (${code ?? String(error)})`);
  }
  if (settings.seed !== undefined && settings.businessId !== DEFAULT_BUSINESS_ID) {
    // createEmulator seeds only its default business; seed the one these credentials own instead.
    const admin = new AdminClient(url, adminToken);
    const state = await admin.state();
    const mine = state.businesses.find((b) => b.businessId === settings.businessId);
    if (!mine || mine.chats === 0) await admin.seed({ seed: settings.seed, businessId: settings.businessId });
  }
  const info: StartedInfo = {
    url,
    businessId: settings.businessId,
    apiKey: settings.apiKey,
    sampleChatId: await sampleChat(url, settings),
  };
  let companion: Companion | undefined;
  try {
    companion = await startCompanion?.(info, adminToken);
  } catch (error) {
    await emulator.close();
    throw error;
  }
  if (out.json) {
    out.ndjson({
      ...companion?.json,
      event: 'listening',
      baseUrl: url,
      businessId: settings.businessId,
      apiKey: settings.apiKey,
      oauthToken: settings.oauthToken,
      db: settings.db ?? ':memory:',
      seed: settings.seed ?? null,
      sampleChatId: info.sampleChatId ?? null,
    });
  } else {
    if (companion?.notifyUrl !== undefined) options.notifications = { url: companion.notifyUrl };
    const extra = companion === undefined ? '' : `${companion.lines.join('\n')}\n\n`;
    out.write(`${startBanner(emulator, options)}\n\n${extra}${tryLines(info).join('\n')}\n`);
  }
  const warning = exposureWarning(settings.host, options);
  if (warning) out.warn(warning);
  const signal = await waitForSignal();
  out.info(`${signal}: stopping the emulator…`);
  await companion?.close();
  await emulator.close();
  if (out.json) out.ndjson({ event: 'stopped', signal });
  else out.info('Stopped.');
  return EXIT.ok;
}

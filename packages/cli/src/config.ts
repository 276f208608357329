/**
 * Where connection settings come from. Precedence: flags > environment > config-file profile. Credentials
 * are taken as a unit from the first source that has any, so a stale key in one place never rides along
 * with a token from another.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_BASE_URL, type Id } from '@ym-chats/sdk';
import { flag, numberFlag, str, type Values } from './args.js';
import { MissingCredentialError, UsageError } from './errors.js';
import { parseId } from './ids.js';
import { readSecretFile, requirePrivate } from './secret-file.js';

export interface Profile {
  apiKey?: string;
  oauthToken?: string;
  businessId?: number | string;
  baseUrl?: string;
  seedPaths?: boolean;
  timeoutMs?: number;
}

export interface Connection {
  apiKey?: string;
  oauthToken?: string;
  /** Where the credential came from, for messages (never the value). */
  credentialSource: string;
  businessId: Id;
  baseUrl: string;
  pathPrefix: '' | '/v2';
  timeoutMs?: number;
}

export interface ConfigSources {
  values: Values;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  const base = envValue(env, 'XDG_CONFIG_HOME') ?? join(envValue(env, 'HOME') ?? homedir(), '.config');
  return join(base, 'ym-chats', 'config.json');
}

/** Reads the profile; a missing default file is fine, a missing explicit file or profile is not. */
export function loadProfile(sources: ConfigSources): { profile: Profile; name: string; file: string } {
  const { values, env, cwd } = sources;
  const explicitFile = str(values, 'config') ?? envValue(env, 'YM_CHATS_CONFIG');
  const file = explicitFile === undefined ? defaultConfigPath(env) : resolve(cwd, explicitFile);
  const explicitName = str(values, 'profile') ?? envValue(env, 'YM_CHATS_PROFILE');
  const name = explicitName ?? 'default';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (explicitFile === undefined && code === 'ENOENT') {
      if (explicitName !== undefined) {
        throw new UsageError(
          `profile "${name}" was asked for, but there is no config file at ${file}`,
          'Create it as {"profiles":{"NAME":{"apiKey":"…","businessId":123}}} or pass --config FILE.',
        );
      }
      return { profile: {}, name, file };
    }
    throw new UsageError(
      `cannot read the config file ${file} (${code ?? 'error'})`,
      'Check --config / YM_CHATS_CONFIG.',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(
      `the config file ${file} is not valid JSON`,
      'Expected {"profiles":{"default":{…}}}.',
    );
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw new UsageError(
      `the config file ${file} has no "profiles" object`,
      'Expected {"profiles":{"default":{…}}}.',
    );
  }
  const holdsSecret = Object.values(profiles).some(
    (p) => typeof p === 'object' && p !== null && ('apiKey' in p || 'oauthToken' in p),
  );
  if (holdsSecret) requirePrivate(file, 'the config file');
  const entry = (profiles as Record<string, unknown>)[name];
  if (entry === undefined) {
    if (explicitName === undefined) return { profile: {}, name, file };
    const known = Object.keys(profiles).join(', ') || 'none';
    throw new UsageError(`profile "${name}" is not in ${file}`, `Profiles there: ${known}.`);
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new UsageError(`profile "${name}" in ${file} must be an object`);
  }
  return { profile: checkProfile(entry as Record<string, unknown>, name, file), name, file };
}

function checkProfile(raw: Record<string, unknown>, name: string, file: string): Profile {
  const where = `profile "${name}" in ${file}`;
  const out: Profile = {};
  for (const key of ['apiKey', 'oauthToken', 'baseUrl'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '')
      throw new UsageError(`${where}: ${key} must be a non-empty string`);
    out[key] = v;
  }
  if (raw.businessId !== undefined) {
    if (typeof raw.businessId !== 'number' && typeof raw.businessId !== 'string') {
      throw new UsageError(`${where}: businessId must be a number`);
    }
    out.businessId = raw.businessId;
  }
  if (raw.seedPaths !== undefined) {
    if (typeof raw.seedPaths !== 'boolean') throw new UsageError(`${where}: seedPaths must be true or false`);
    out.seedPaths = raw.seedPaths;
  }
  if (raw.timeoutMs !== undefined) {
    if (typeof raw.timeoutMs !== 'number' || raw.timeoutMs <= 0)
      throw new UsageError(`${where}: timeoutMs must be a positive number`);
    out.timeoutMs = raw.timeoutMs;
  }
  return out;
}

export const CREDENTIAL_HINT =
  'Give an Api-Key in one of these ways:\n' +
  '  --api-key-file FILE         a file holding only the key (chmod 600), or - to read it from stdin\n' +
  '  export YM_API_KEY=KEY       in the environment (or YM_OAUTH_TOKEN for an OAuth token)\n' +
  '  ~/.config/ym-chats/config.json  {"profiles":{"default":{"apiKey":"KEY","businessId":123}}} (chmod 600)\n' +
  '  --api-key KEY               last resort: other local users can see it in the process list\n' +
  'No account? `ym-chats demo` starts a local emulator and prints credentials that work with it.';

export const BUSINESS_HINT =
  'Pass --business-id ID, export YM_BUSINESS_ID=ID, or put "businessId" in the config profile. ' +
  'It is the cabinet id shown in the partner interface (1001 on the emulator).';

/** Resolves everything an API command needs, or says exactly what is missing. */
export function resolveConnection(sources: ConfigSources): Connection {
  const { values, env } = sources;
  const { profile, name: profileName } = loadProfile(sources);

  let apiKey: string | undefined;
  let oauthToken: string | undefined;
  let credentialSource: string;
  const keyFile = str(values, 'api-key-file');
  const tokenFile = str(values, 'oauth-token-file');
  if (keyFile === '-' && tokenFile === '-')
    throw new UsageError('stdin can carry only one credential', 'Give one of them in a file.');
  if (keyFile !== undefined && str(values, 'api-key') !== undefined)
    throw new UsageError('give --api-key or --api-key-file, not both');
  if (tokenFile !== undefined && str(values, 'oauth-token') !== undefined)
    throw new UsageError('give --oauth-token or --oauth-token-file, not both');
  const flagKey =
    keyFile === undefined
      ? str(values, 'api-key')
      : readSecretFile(keyFile === '-' ? '-' : resolve(sources.cwd, keyFile), '--api-key-file');
  const flagToken =
    tokenFile === undefined
      ? str(values, 'oauth-token')
      : readSecretFile(tokenFile === '-' ? '-' : resolve(sources.cwd, tokenFile), '--oauth-token-file');
  const envKey = envValue(env, 'YM_API_KEY');
  const envToken = envValue(env, 'YM_OAUTH_TOKEN');
  if (flagKey !== undefined || flagToken !== undefined) {
    apiKey = flagKey;
    oauthToken = flagToken;
    credentialSource = 'command-line flags';
  } else if (envKey !== undefined || envToken !== undefined) {
    apiKey = envKey;
    oauthToken = envToken;
    credentialSource = 'environment (YM_API_KEY / YM_OAUTH_TOKEN)';
  } else {
    apiKey = profile.apiKey;
    oauthToken = profile.oauthToken;
    credentialSource = `config profile "${profileName}"`;
  }
  if (apiKey === '' || oauthToken === '') {
    throw new MissingCredentialError('the credential given is empty', CREDENTIAL_HINT);
  }
  if (apiKey === undefined && oauthToken === undefined) {
    throw new MissingCredentialError(
      'no credential: an Api-Key or an OAuth token is required',
      CREDENTIAL_HINT,
    );
  }

  const businessRaw = str(values, 'business-id') ?? envValue(env, 'YM_BUSINESS_ID') ?? profile.businessId;
  if (businessRaw === undefined) {
    throw new UsageError('no business id: every chat call is made for a business', BUSINESS_HINT);
  }
  const businessId = parseId(String(businessRaw), 'business id', BUSINESS_HINT);

  const { baseUrl, pathPrefix, timeoutMs } = apiTargetOf(values, env, profile);
  const connection: Connection = {
    credentialSource,
    businessId,
    baseUrl,
    pathPrefix,
  };
  if (apiKey !== undefined) connection.apiKey = apiKey;
  if (oauthToken !== undefined) connection.oauthToken = oauthToken;
  if (timeoutMs !== undefined) connection.timeoutMs = timeoutMs;
  return connection;
}

export interface ApiTarget {
  baseUrl: string;
  pathPrefix: '' | '/v2';
  timeoutMs?: number | undefined;
}

/**
 * Where API calls go, without any credential (workers take theirs from the registry): flags, then the
 * environment, then the config profile, like every command.
 */
export function resolveApiTarget(sources: ConfigSources): ApiTarget {
  return apiTargetOf(sources.values, sources.env, loadProfile(sources).profile);
}

function apiTargetOf(
  values: ConfigSources['values'],
  env: ConfigSources['env'],
  profile: Profile,
): ApiTarget {
  const baseUrl = (
    str(values, 'base-url') ??
    envValue(env, 'YM_BASE_URL') ??
    profile.baseUrl ??
    DEFAULT_BASE_URL
  ).replace(/\/+$/, '');
  let parsedUrl: URL | undefined;
  try {
    parsedUrl = new URL(baseUrl);
  } catch {
    parsedUrl = undefined;
  }
  if (parsedUrl === undefined || (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:')) {
    throw new UsageError(
      `the base URL must be an http(s) URL, got "${baseUrl}"`,
      'Check --base-url / YM_BASE_URL.',
    );
  }
  const seedPaths = flag(values, 'seed-paths') || flag(values, 'v1') || profile.seedPaths === true;
  if (parsedUrl.search !== '' || parsedUrl.hash !== '') {
    throw new UsageError(
      `the base URL must not carry a query or fragment, got "${baseUrl}"`,
      `Use --base-url ${parsedUrl.origin}${parsedUrl.pathname.replace(/\/+$/, '')}.`,
    );
  }
  if (!seedPaths && /\/v2$/i.test(parsedUrl.pathname)) {
    throw new UsageError(
      `the base URL ${baseUrl} ends in /v2, and ym-chats adds /v2 itself: requests would go to …/v2/v2/businesses/…`,
      `Drop it: --base-url ${parsedUrl.origin}${parsedUrl.pathname.replace(/\/v2$/i, '')} (or keep it and pass --seed-paths, which adds no prefix).`,
    );
  }
  const timeoutMs = numberFlag(values, 'timeout', { min: 1, max: 600_000 }) ?? profile.timeoutMs;
  return { baseUrl, pathPrefix: seedPaths ? '' : '/v2', timeoutMs };
}

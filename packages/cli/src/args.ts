/** Flag definitions and parsing on top of node:util parseArgs, with "did you mean" for typos. */
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in help, e.g. `ID`. */
  arg?: string;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;
export type Values = Record<string, string | boolean | string[] | undefined>;

/** Accepted by every command; the API ones are ignored by commands that make no API call. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  'api-key-file': {
    type: 'string',
    arg: 'FILE',
    help: 'read the Api-Key from FILE (chmod 600), or from stdin with -',
  },
  'api-key': {
    type: 'string',
    arg: 'KEY',
    help: 'Api-Key credential (visible to other local users in the process list: prefer --api-key-file or YM_API_KEY)',
  },
  'oauth-token-file': {
    type: 'string',
    arg: 'FILE',
    help: 'read the OAuth token from FILE (chmod 600), or from stdin with -',
  },
  'oauth-token': {
    type: 'string',
    arg: 'TOKEN',
    help: 'OAuth token, sent as Authorization: Bearer (or YM_OAUTH_TOKEN; prefer --oauth-token-file)',
  },
  'business-id': { type: 'string', arg: 'ID', help: 'business (cabinet) id (or YM_BUSINESS_ID)' },
  'base-url': {
    type: 'string',
    arg: 'URL',
    help: 'API base URL (or YM_BASE_URL; default https://api.partner.market.yandex.ru)',
  },
  'seed-paths': {
    type: 'boolean',
    help: 'use the older unprefixed paths (/businesses/…) instead of /v2/businesses/…',
  },
  v1: { type: 'boolean', help: 'same as --seed-paths' },
  profile: {
    type: 'string',
    arg: 'NAME',
    help: 'profile from the config file (or YM_CHATS_PROFILE; default "default")',
  },
  config: {
    type: 'string',
    arg: 'FILE',
    help: 'config file (or YM_CHATS_CONFIG; default ~/.config/ym-chats/config.json)',
  },
  json: { type: 'boolean', help: 'machine-readable JSON on stdout (errors as JSON on stderr)' },
  'no-color': { type: 'boolean', help: 'no ANSI colours (also NO_COLOR=1)' },
  timeout: { type: 'string', arg: 'MS', help: 'per-request timeout in milliseconds (default 30000)' },
  help: { type: 'boolean', short: 'h', help: 'show help for the command' },
};

export interface Parsed {
  values: Values;
  positionals: string[];
}

export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

/** The closest known word, if it is close enough to be a plausible typo. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function parseCommandArgs(
  command: string,
  argv: string[],
  options: OptionSpecs,
  positionals: { min: number; max: number; names: string },
): Parsed {
  const all = { ...GLOBAL_OPTIONS, ...options };
  const config: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, spec] of Object.entries(all)) {
    config[name] = { type: spec.type };
    if (spec.multiple) config[name].multiple = true;
    if (spec.short) config[name].short = spec.short;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals: true, strict: true });
  } catch (error) {
    throw explainParseError(command, error, Object.keys(all));
  }
  const values = parsed.values as Values;
  if (values.help === true) return { values, positionals: parsed.positionals };
  const count = parsed.positionals.length;
  if (count < positionals.min) {
    throw new UsageError(
      `${command}: missing ${positionals.names}`,
      `Usage is shown by \`ym-chats ${command} --help\`.`,
    );
  }
  if (count > positionals.max) {
    const extra = parsed.positionals.slice(positionals.max).join(' ');
    throw new UsageError(
      `${command}: unexpected argument${count - positionals.max > 1 ? 's' : ''} "${extra}"`,
      `See \`ym-chats ${command} --help\`.`,
    );
  }
  return { values, positionals: parsed.positionals };
}

function explainParseError(command: string, error: unknown, known: string[]): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message);
  if (unknown) {
    const name = unknown[2]!.split('=')[0]!;
    const suggestion = closest(name, known);
    return new UsageError(
      `${command}: unknown flag ${unknown[1]}${name}`,
      suggestion
        ? `Did you mean --${suggestion}? See \`ym-chats ${command} --help\`.`
        : `See \`ym-chats ${command} --help\`.`,
    );
  }
  const missingValue = /Option '([^']+)' argument missing/.exec(message);
  if (missingValue) {
    return new UsageError(
      `${command}: ${missingValue[1]} needs a value`,
      `See \`ym-chats ${command} --help\`.`,
    );
  }
  // parseArgs' own wording is already specific (e.g. a value given to a boolean flag).
  return new UsageError(`${command}: ${message.split('\n')[0]}`, `See \`ym-chats ${command} --help\`.`);
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function strs(values: Values, name: string): string[] | undefined {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : undefined;
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

/** A numeric flag within bounds; `integer` refuses fractions. */
export function numberFlag(
  values: Values,
  name: string,
  bounds: { min: number; max: number; integer?: boolean },
): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  const shape = bounds.integer === false ? 'a number' : 'an integer';
  if (raw.trim() === '' || !Number.isFinite(n) || (bounds.integer !== false && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${shape}, got "${raw}"`);
  }
  if (n < bounds.min || n > bounds.max) {
    throw new UsageError(`--${name} must be from ${bounds.min} to ${bounds.max}, got ${raw}`);
  }
  return n;
}

/**
 * `ym-chats agents link LOGIN`: a one-time login link to the web inbox, made by whoever can open the
 * store. It is how a new browser or a new colleague gets in while someone elsewhere keeps the login
 * limits' shared ceiling full with wrong guesses (a browser that logged in before is exempt from it by its
 * device token; a new one has none). The link is short-lived, good once, and kept hashed in the store; the
 * inbox of any `serve` on that store accepts it.
 */
import { numberFlag, str } from '../args.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { loadOptional } from '../optional-package.js';
import type { Command } from './command.js';
import { loadSync, openCliStore, STORE_OPTIONS } from './sync.js';

type InboxModule = typeof import('@ym-chats/inbox');

/** Where the inbox is: `--inbox-url`, or serve's own defaults for `--host` and `--port`. */
function inboxOrigin(values: Parameters<typeof str>[0]): string {
  const given = str(values, 'inbox-url');
  if (given !== undefined) {
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      throw new UsageError(
        `--inbox-url is not a URL: "${given}"`,
        'e.g. --inbox-url https://inbox.example.ru',
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new UsageError(`--inbox-url must be http(s), got "${given}"`);
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  }
  const host = str(values, 'host') ?? '127.0.0.1';
  const port = numberFlag(values, 'port', { min: 1, max: 65535 }) ?? 8081;
  if (host === '0.0.0.0' || host === '::') {
    throw new UsageError(
      `--host ${host} is every interface, not an address a browser can open`,
      'Give the address agents open the inbox at: --inbox-url http://192.168.1.10:8081 (or the proxy’s https URL).',
    );
  }
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export const agentsCommand: Command = {
  name: 'agents',
  summary: 'inbox agents: a one-time login link for a new browser or colleague (link LOGIN)',
  usage: 'agents link LOGIN [--store PATH|URL] [--inbox-url URL | --host H --port N] [--ttl M] [--json]',
  description:
    "Prints a link that logs one browser into the web inbox as LOGIN (an agent of serve's --agents), " +
    'once, within --ttl minutes (default 15). The browser that follows it is logged in and keeps a device ' +
    'token, so from then on it is not held back by wrong passwords tried from other places. Only a hash of ' +
    'the link is stored (--store / YM_STORE, the store serve runs on). The link is on the inbox’s origin: ' +
    '--inbox-url as agents open it (a proxy’s https URL), or http://HOST:PORT with serve’s defaults ' +
    '127.0.0.1 and 8081. Hand it over as you would a password.',
  options: {
    ...STORE_OPTIONS,
    'inbox-url': {
      type: 'string',
      arg: 'URL',
      help: 'the inbox as agents open it, e.g. https://inbox.example.ru (default http://HOST:PORT)',
    },
    host: { type: 'string', arg: 'HOST', help: 'the host serve is bound to (default 127.0.0.1)' },
    port: { type: 'string', arg: 'N', help: 'the port serve listens on (default 8081)' },
    ttl: { type: 'string', arg: 'M', help: 'minutes the link stays good (default 15, at most 1440)' },
  },
  positionals: { min: 2, max: 2, names: 'link LOGIN' },
  examples: [
    ['agents link anna', 'a link to http://127.0.0.1:8081/ for anna, good once within 15 minutes'],
    [
      'agents link boris --inbox-url https://inbox.example.ru --store postgres://me@localhost/shop',
      'for a new colleague, through the proxy',
    ],
  ],
  usesApi: false,
  async run(ctx) {
    const { out, values, positionals } = ctx;
    const [action, login] = positionals as [string, string];
    if (action !== 'link') throw new UsageError(`unknown action "${action}"`, 'Use agents link LOGIN.');
    if (login.trim() === '' || login.length > 200) throw new UsageError('agents link needs a login');
    const origin = inboxOrigin(values);
    const ttlMinutes = numberFlag(values, 'ttl', { min: 1, max: 1440 }) ?? 15;
    const inbox = await loadOptional<InboxModule>(
      '@ym-chats/inbox',
      () => import('@ym-chats/inbox'),
      'a login link',
    );
    const sync = await loadSync();
    const store = await openCliStore(ctx, sync);
    try {
      const token = await inbox.createLoginLink(store.sql, login, ttlMinutes * 60_000);
      const url = inbox.loginLinkUrl(origin, token);
      const expiresAt = new Date(Date.now() + ttlMinutes * 60_000).toISOString();
      if (out.json) out.document({ login, url, expiresAt });
      else {
        out.write(`${url}\n`);
        out.info(`Logs one browser in as ${login}, once, until ${expiresAt.slice(11, 16)} UTC.`);
      }
    } finally {
      await store.close();
    }
    return EXIT.ok;
  },
};

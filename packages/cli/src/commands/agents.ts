/**
 * `ym-chats agents`: the inbox's agents from a terminal. `add`, `list`, `remove` and `passwd` edit the
 * agents in the store (`--store` / YM_STORE, as for sync), which every `serve` on it reads without a
 * restart; passwords only as scrypt hashes, asked on the terminal or read from a private file or stdin,
 * never taken from a flag. (`serve --agents FILE` imports a file into the store: ../agents-import.ts.)
 *
 * `link LOGIN`: a one-time login link to the web inbox, made by whoever can open the
 * store. It is how a new browser or a new colleague gets in while someone elsewhere keeps the login
 * limits' shared ceiling full with wrong guesses (a browser that logged in before is exempt from it by its
 * device token; a new one has none). The link is short-lived, good once, and kept hashed in the store; the
 * inbox of any `serve` on that store accepts it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { flag, numberFlag, str, strs } from '../args.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { loadOptional } from '../optional-package.js';
import { renderTable } from '../output/table.js';
import { MIN_PASSWORD_LENGTH, newPassword } from '../password-prompt.js';
import { requirePrivate } from '../secret-file.js';
import type { Command, CommandContext } from './command.js';
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

const loadInbox = (what: string) =>
  loadOptional<InboxModule>('@ym-chats/inbox', () => import('@ym-chats/inbox'), what);

/** A login as the inbox compares it: as typed, so no spaces or control characters that hide in a file. */
function checkLogin(login: string | undefined, action: string): string {
  if (login === undefined)
    throw new UsageError(`agents ${action} needs a login`, `e.g. agents ${action} anna`);
  if (!/^[^\s\p{C}]{1,200}$/u.test(login)) {
    throw new UsageError(`agents ${action}: "${login}" is not a login (1–200 characters, no spaces)`);
  }
  return login;
}

/** `--businesses` once or more, each a list (`--businesses 1001,1002`); YM_BUSINESS_ID when none. */
function businessIds(ctx: CommandContext): number[] {
  const given =
    strs(ctx.values, 'businesses') ?? (ctx.io.env.YM_BUSINESS_ID ? [ctx.io.env.YM_BUSINESS_ID] : []);
  const ids = given
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (ids.length === 0) {
    throw new UsageError(
      'agents add needs the businesses the agent sees',
      'e.g. --businesses 1001 (or 1001,1002 for more)',
    );
  }
  return [
    ...new Set(
      ids.map((id) => {
        const n = Number(id);
        if (!/^\d+$/.test(id) || !Number.isSafeInteger(n) || n < 1) {
          throw new UsageError(
            `--businesses: "${id}" is not a business id`,
            'Give positive integers, e.g. --businesses 1001,1002',
          );
        }
        return n;
      }),
    ),
  ];
}

/**
 * The new password: from `--password-file FILE` (private, one line), from stdin with `--password-file -`
 * (or `--password-stdin`), else asked twice on the terminal without echo.
 */
async function password(ctx: CommandContext, login: string): Promise<string> {
  const file = str(ctx.values, 'password-file');
  if (file === undefined || file === '-')
    return newPassword(ctx.io, login, file === '-' || flag(ctx.values, 'password-stdin'));
  const path = resolve(ctx.io.cwd, file);
  requirePrivate(path, '--password-file');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--password-file: cannot read ${path} (${(error as { code?: string }).code ?? 'error'})`,
      'Give a file holding the password on one line, or - to read it from stdin.',
    );
  }
  // One trailing newline is the line's end (an editor, echo), not part of the password.
  const line = text.replace(/\r?\n$/, '');
  if (line.includes('\n')) throw new UsageError(`--password-file ${path}: expected the password on one line`);
  if ([...line].length < MIN_PASSWORD_LENGTH)
    throw new UsageError(`the password is shorter than ${MIN_PASSWORD_LENGTH} characters`);
  return line;
}

const ACTIONS = ['add', 'list', 'remove', 'passwd', 'link'] as const;

/** What `serve` makes of it: a store with agents asks every browser to log in. */
const TAKES_EFFECT = 'Every serve on this store sees it at once; no restart.';

/** add, list, remove, passwd: the agents in the store every `serve` on it reads. */
async function editAgents(
  ctx: CommandContext,
  action: string,
  loginArg: string | undefined,
): Promise<number> {
  const { out } = ctx;
  // Checked before the store is opened or the password asked for: a typo should not cost typing it twice.
  const login = action === 'list' ? '' : checkLogin(loginArg, action);
  const ids = action === 'add' ? businessIds(ctx) : [];
  const name = str(ctx.values, 'name');
  if (name !== undefined && (name.trim() === '' || name.length > 200))
    throw new UsageError('--name must be 1–200 characters');
  const inbox = await loadInbox('the inbox’s agents');
  const sync = await loadSync();
  const store = await openCliStore(ctx, sync);
  try {
    const agents = await inbox.SqlAgentDirectory.open(store.database(), { refreshMs: 0 });
    if (action === 'list') {
      const rows = (await agents.list()).map((a) => ({
        login: a.login,
        name: a.name ?? a.login,
        businessIds: a.businessIds,
      }));
      if (out.json) out.document(rows);
      else if (rows.length === 0)
        out.info(
          'No agents in this store: serve lets the local user in on 127.0.0.1 only. Add one: ym-chats agents add LOGIN --businesses ID',
        );
      else
        out.write(
          renderTable(
            rows,
            [
              { header: 'LOGIN', value: (a) => a.login },
              { header: 'NAME', value: (a) => a.name, flexible: true },
              { header: 'BUSINESSES', value: (a) => a.businessIds.join(',') },
            ],
            { maxWidth: out.width },
          ),
        );
      return EXIT.ok;
    }
    const before = await agents.find(login);
    if (action === 'add' && before) {
      throw new UsageError(
        `${login} is already an agent in this store`,
        `Change the password with ym-chats agents passwd ${login}.`,
      );
    }
    if (action !== 'add' && !before) {
      throw new UsageError(`${login} is not an agent in this store`, 'See them with ym-chats agents list.');
    }
    if (action === 'remove') await agents.remove(login);
    else {
      const passwordHash = await inbox.hashPassword(await password(ctx, login));
      if (action === 'add') {
        const agent = { login, ...(name === undefined ? {} : { name }), passwordHash, businessIds: ids };
        if (!(await agents.add(agent)))
          throw new UsageError(`${login} was added meanwhile`, 'See them with ym-chats agents list.');
      } else await agents.setPassword(login, passwordHash);
    }
    const agent = await agents.find(login);
    if (out.json) {
      out.document({
        action,
        login,
        ...(agent === undefined ? {} : { name: agent.name ?? login, businessIds: agent.businessIds }),
      });
    } else if (action === 'add') out.info(`Added ${login} (businesses ${ids.join(',')}). ${TAKES_EFFECT}`);
    else if (action === 'remove') out.info(`Removed ${login}; their sessions have ended. ${TAKES_EFFECT}`);
    else out.info(`Changed the password of ${login}; every device of theirs logs in again. ${TAKES_EFFECT}`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

export const agentsCommand: Command = {
  name: 'agents',
  summary: 'inbox agents in the store: add, list, remove, passwd; a one-time login link (link LOGIN)',
  usage:
    'agents add LOGIN --businesses ID[,ID…] [--name N] [--password-file FILE|-] [--store PATH|URL] | ' +
    'agents list [--store PATH|URL] [--json] | agents remove LOGIN | agents passwd LOGIN [--password-file FILE|-] | ' +
    'agents link LOGIN [--store PATH|URL] [--inbox-url URL | --host H --port N] [--ttl M] [--json]',
  description:
    'add, list, remove and passwd edit the agents in the store (--store / YM_STORE, as for sync; default ' +
    '.ym-chats/store.sqlite), which every serve on that store reads while it runs: an agent added can log in ' +
    'at once, a removed one is logged out everywhere, a new password logs out every device of that agent. A ' +
    'store with agents asks for a login on every bind, 127.0.0.1 too. The password is asked twice on the ' +
    'terminal without being shown, or read from --password-file FILE (a private file, one line) or from ' +
    'stdin with --password-file -; it is never taken from a flag, and only its scrypt hash is stored. add ' +
    'needs the businesses the agent sees (--businesses, comma-separated or repeated; YM_BUSINESS_ID when ' +
    'none). serve --agents FILE imports such a file once at its start (added or updated by login). ' +
    'link prints a link that logs one browser into the web inbox as LOGIN, ' +
    'once, within --ttl minutes (default 15). The browser that follows it is logged in and keeps a device ' +
    'token, so from then on it is not held back by wrong passwords tried from other places. Only a hash of ' +
    'the link is stored (--store / YM_STORE, the store serve runs on). The link is on the inbox’s origin: ' +
    '--inbox-url as agents open it (a proxy’s https URL), or http://HOST:PORT with serve’s defaults ' +
    '127.0.0.1 and 8081. Hand it over as you would a password.',
  options: {
    name: { type: 'string', arg: 'N', help: 'add: the name colleagues see (default the login)' },
    businesses: {
      type: 'string',
      multiple: true,
      arg: 'ID[,ID…]',
      help: 'add: the businesses the agent sees (default YM_BUSINESS_ID)',
    },
    'password-file': {
      type: 'string',
      arg: 'FILE|-',
      help: 'add, passwd: the password from a private file (one line), or - for stdin',
    },
    'password-stdin': { type: 'boolean', help: 'add, passwd: the same as --password-file -' },
    ...STORE_OPTIONS,
    'inbox-url': {
      type: 'string',
      arg: 'URL',
      help: 'link: the inbox as agents open it, e.g. https://inbox.example.ru (default http://HOST:PORT)',
    },
    host: { type: 'string', arg: 'HOST', help: 'link: the host serve is bound to (default 127.0.0.1)' },
    port: { type: 'string', arg: 'N', help: 'link: the port serve listens on (default 8081)' },
    ttl: { type: 'string', arg: 'M', help: 'link: minutes the link stays good (default 15, at most 1440)' },
  },
  positionals: { min: 1, max: 2, names: 'ACTION [LOGIN]' },
  examples: [
    ['agents add anna --name "Анна" --businesses 1001', 'asks for her password twice, stores its hash'],
    ['agents add boris --businesses 1001,1002 --password-file - < boris.pass', 'the password from stdin'],
    ['agents list --store postgres://me@localhost/shop', 'who may log in to every serve on that store'],
    ['agents passwd anna', 'a new password for anna; her devices log in again'],
    ['agents remove boris', 'boris is logged out and can no longer log in'],
    ['agents link anna', 'a link to http://127.0.0.1:8081/ for anna, good once within 15 minutes'],
    [
      'agents link boris --inbox-url https://inbox.example.ru --store postgres://me@localhost/shop',
      'for a new colleague, through the proxy',
    ],
  ],
  usesApi: false,
  async run(ctx) {
    const { out, values, positionals } = ctx;
    const [action = '', login] = positionals;
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new UsageError(
        `unknown action "${action}"`,
        `Use one of: ${ACTIONS.map((a) => `agents ${a}`).join(', ')}.`,
      );
    }
    if (action === 'list' && login !== undefined)
      throw new UsageError(`agents list: unexpected argument "${login}"`);
    if (action !== 'link') return editAgents(ctx, action, login);
    if (login === undefined || login.trim() === '' || login.length > 200)
      throw new UsageError('agents link needs a login');
    const origin = inboxOrigin(values);
    const ttlMinutes = numberFlag(values, 'ttl', { min: 1, max: 1440 }) ?? 15;
    const inbox = await loadInbox('a login link');
    const sync = await loadSync();
    const store = await openCliStore(ctx, sync);
    try {
      const agents = await inbox.SqlAgentDirectory.open(store.database(), { refreshMs: 0 });
      if (!(await agents.find(login)))
        throw new UsageError(
          `${login} is not an agent in this store`,
          `Add them first: ym-chats agents add ${login} --businesses ID (see them with ym-chats agents list).`,
        );
      const token = await inbox.createLoginLink(store.database(), login, ttlMinutes * 60_000);
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

/**
 * `ym-chats agents`: the inbox's agents from a terminal. `add`, `list`, `remove` and `passwd` edit the
 * agents file `serve --agents FILE` reads (`../agents-file.ts`: written 0600, passwords only as scrypt
 * hashes, asked on the terminal or read from stdin, never taken from a flag).
 *
 * `link LOGIN`: a one-time login link to the web inbox, made by whoever can open the
 * store. It is how a new browser or a new colleague gets in while someone elsewhere keeps the login
 * limits' shared ceiling full with wrong guesses (a browser that logged in before is exempt from it by its
 * device token; a new one has none). The link is short-lived, good once, and kept hashed in the store; the
 * inbox of any `serve` on that store accepts it.
 */
import { resolve } from 'node:path';
import { openAgentsFile, saveAgentsFile } from '../agents-file.js';
import { flag, numberFlag, str, strs } from '../args.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { loadOptional } from '../optional-package.js';
import { renderTable } from '../output/table.js';
import { newPassword } from '../password-prompt.js';
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

/** `--business-id` once or more, each a list (`--business-id 1001,1002`); YM_BUSINESS_ID when none. */
function businessIds(ctx: CommandContext): number[] {
  const given =
    strs(ctx.values, 'business-id') ?? (ctx.io.env.YM_BUSINESS_ID ? [ctx.io.env.YM_BUSINESS_ID] : []);
  const ids = given
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (ids.length === 0) {
    throw new UsageError(
      'agents add needs the businesses the agent sees',
      'e.g. --business-id 1001 (repeat it or use commas for more)',
    );
  }
  return [
    ...new Set(
      ids.map((id) => {
        const n = Number(id);
        if (!/^\d+$/.test(id) || !Number.isSafeInteger(n) || n < 1) {
          throw new UsageError(`--business-id must be a positive integer, got "${id}"`);
        }
        return n;
      }),
    ),
  ];
}

/** The agents file edited: `--file`, or agents.json here (what `serve --agents agents.json` reads). */
const agentsFile = (ctx: CommandContext) => resolve(ctx.io.cwd, str(ctx.values, 'file') ?? 'agents.json');

const ACTIONS = ['add', 'list', 'remove', 'passwd', 'link'] as const;

/** add, list, remove, passwd: edits of the agents file. */
async function editAgents(
  ctx: CommandContext,
  action: string,
  loginArg: string | undefined,
): Promise<number> {
  const { out } = ctx;
  const file = agentsFile(ctx);
  const agents = openAgentsFile(file);
  if (action === 'list') {
    const rows = agents.map((a) => ({ login: a.login, name: a.name ?? a.login, businessIds: a.businessIds }));
    if (out.json) out.document(rows);
    else if (rows.length === 0)
      out.info(`No agents in ${file}. Add one: ym-chats agents add LOGIN --business-id ID`);
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
  const login = checkLogin(loginArg, action);
  const index = agents.findIndex((a) => a.login === login);
  if (action === 'add' && index >= 0) {
    throw new UsageError(
      `${login} is already an agent in ${file}`,
      `Change the password with ym-chats agents passwd ${login}.`,
    );
  }
  if (action !== 'add' && index < 0) {
    throw new UsageError(`${login} is not an agent in ${file}`, 'See them with ym-chats agents list.');
  }
  let changed = agents;
  if (action === 'remove') changed = agents.filter((_, i) => i !== index);
  else {
    // Checked before the password is asked for: a typo in a flag should not cost typing it twice.
    const ids = action === 'add' ? businessIds(ctx) : agents[index]!.businessIds;
    const name = str(ctx.values, 'name');
    const inbox = await loadInbox('password hashes');
    const passwordHash = await inbox.hashPassword(
      await newPassword(ctx.io, login, flag(ctx.values, 'password-stdin')),
    );
    if (action === 'add')
      changed = [
        ...agents,
        { login, ...(name === undefined ? {} : { name }), passwordHash, businessIds: ids },
      ];
    else
      changed = agents.map((a, i) =>
        i === index ? { ...a, ...(name === undefined ? {} : { name }), passwordHash } : a,
      );
  }
  saveAgentsFile(file, changed);
  const agent = changed.find((a) => a.login === login);
  if (out.json) {
    out.document({
      action,
      login,
      file,
      ...(agent === undefined ? {} : { name: agent.name ?? login, businessIds: agent.businessIds }),
    });
  } else {
    const done = action === 'add' ? 'Added' : action === 'remove' ? 'Removed' : 'Changed the password of';
    out.info(
      `${done} ${login} ${action === 'remove' ? 'from' : 'in'} ${file}. ` +
        'A running serve reads the file when it starts: restart it.',
    );
  }
  return EXIT.ok;
}

export const agentsCommand: Command = {
  name: 'agents',
  summary: 'inbox agents: add, list, remove, passwd (the --agents file); a one-time login link (link LOGIN)',
  usage:
    'agents add LOGIN [--name N] [--business-id ID…] [--file FILE] [--password-stdin] | agents list [--file FILE] | ' +
    'agents remove LOGIN [--file FILE] | agents passwd LOGIN [--file FILE] [--password-stdin] | ' +
    'agents link LOGIN [--store PATH|URL] [--inbox-url URL | --host H --port N] [--ttl M] [--json]',
  description:
    'add, list, remove and passwd edit the agents file serve --agents FILE reads (--file, default ' +
    'agents.json here; created 0600, and one other users can read is refused with the chmod that fixes it). ' +
    'The password is asked twice on the terminal without being shown, or read from stdin with ' +
    '--password-stdin (one line); it is never taken from a flag, and only its scrypt hash is written. ' +
    'add needs the businesses the agent sees (--business-id, repeated or comma-separated; YM_BUSINESS_ID ' +
    'when none). serve reads the file when it starts. ' +
    "link prints a link that logs one browser into the web inbox as LOGIN (an agent of serve's --agents), " +
    'once, within --ttl minutes (default 15). The browser that follows it is logged in and keeps a device ' +
    'token, so from then on it is not held back by wrong passwords tried from other places. Only a hash of ' +
    'the link is stored (--store / YM_STORE, the store serve runs on). The link is on the inbox’s origin: ' +
    '--inbox-url as agents open it (a proxy’s https URL), or http://HOST:PORT with serve’s defaults ' +
    '127.0.0.1 and 8081. Hand it over as you would a password.',
  options: {
    file: { type: 'string', arg: 'FILE', help: 'the agents file serve --agents reads (default agents.json)' },
    name: { type: 'string', arg: 'N', help: 'add, passwd: the name colleagues see (default the login)' },
    'business-id': {
      type: 'string',
      multiple: true,
      arg: 'ID',
      help: 'add: a business the agent sees (repeat it, or ID,ID; default YM_BUSINESS_ID)',
    },
    'password-stdin': { type: 'boolean', help: 'add, passwd: read the password from stdin (one line)' },
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
    ['agents add anna --name "Анна" --business-id 1001', 'asks for her password twice, writes agents.json'],
    ['agents add boris --business-id 1001,1002 --password-stdin < boris.pass', 'the password from a file'],
    ['agents list --file /etc/ym-chats/agents.json', 'who may log in'],
    ['agents passwd anna', 'a new password for anna'],
    ['agents remove boris', 'boris can no longer log in once serve restarts'],
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

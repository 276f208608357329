/**
 * `ym-chats business add | list | remove`: the businesses workers share (`serve` / `sync --watch` with
 * `--registered`), kept in the store with their credentials sealed by YM_CREDENTIALS_KEY. A credential is
 * read from a file or stdin, like every other secret, and never printed.
 */
import { resolve } from 'node:path';
import { str } from '../args.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { parseId } from '../ids.js';
import { renderTable } from '../output/table.js';
import { readSecretFile } from '../secret-file.js';
import { cliCredentialKey, loadWorkers } from '../workers-run.js';
import type { Command, CommandContext } from './command.js';
import { loadSync, openCliStore, STORE_OPTIONS } from './sync.js';

function readCredential(ctx: CommandContext): { kind: 'api-key' | 'oauth-token'; secret: string } {
  const { values } = ctx;
  const keyFile = str(values, 'api-key-file');
  const tokenFile = str(values, 'oauth-token-file');
  const keyFlag = str(values, 'api-key');
  const tokenFlag = str(values, 'oauth-token');
  const given = [keyFile, tokenFile, keyFlag, tokenFlag].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new UsageError(
      given === 0 ? 'business add needs the business credential' : 'give exactly one credential',
      'Pass --api-key-file FILE (chmod 600) or --oauth-token-file FILE; "-" reads it from stdin.',
    );
  }
  const file = (path: string, flagName: string) =>
    readSecretFile(path === '-' ? '-' : resolve(ctx.io.cwd, path), flagName);
  if (keyFile !== undefined) return { kind: 'api-key', secret: file(keyFile, '--api-key-file') };
  if (tokenFile !== undefined) return { kind: 'oauth-token', secret: file(tokenFile, '--oauth-token-file') };
  if (keyFlag !== undefined) return { kind: 'api-key', secret: keyFlag };
  return { kind: 'oauth-token', secret: tokenFlag! };
}

export const businessCommand: Command = {
  name: 'business',
  summary: 'register businesses and their credentials for workers (add | list | remove)',
  usage:
    'business add ID [--name NAME] (--api-key-file FILE | --oauth-token-file FILE) | business list | business remove ID',
  description:
    'Keeps the businesses that `serve --registered` and `sync --watch --registered` share between worker ' +
    'processes, in the store (--store / YM_STORE) beside the mirrored chats. Credentials are encrypted with ' +
    'AES-256-GCM under the key in YM_CREDENTIALS_KEY (32 random bytes, base64) and never shown: `list` prints ' +
    'the id, name, date added and a masked hint. Adding an id again replaces its name and credential; ' +
    'removing one stops its sync at the next lease renewal (mirrored chats stay in the store).',
  options: {
    ...STORE_OPTIONS,
    name: { type: 'string', arg: 'NAME', help: 'a label for the business (shown by list)' },
  },
  positionals: { min: 1, max: 2, names: 'add ID | list | remove ID' },
  examples: [
    [
      'business add 1001 --name "Shop" --api-key-file key.txt',
      'register a business (key read from a chmod 600 file)',
    ],
    ['business list --store postgres://me@localhost/shop', 'the registered businesses, credentials masked'],
    ['business remove 1001', 'stop syncing it'],
  ],
  usesApi: true,
  async run(ctx) {
    const { out, positionals } = ctx;
    const [action, idText] = positionals;
    if (action !== 'add' && action !== 'list' && action !== 'remove') {
      throw new UsageError(
        `unknown action "${action}"`,
        'Use business add ID, business list or business remove ID.',
      );
    }
    if (action === 'list' ? idText !== undefined : idText === undefined) {
      throw new UsageError(
        action === 'list' ? 'business list takes no id' : `business ${action} needs the business id`,
      );
    }
    const businessId = idText === undefined ? undefined : BigInt(String(parseId(idText, 'business id')));
    const credential = action === 'add' ? readCredential(ctx) : undefined;
    const sync = await loadSync();
    const workers = await loadWorkers();
    const key = action === 'add' ? cliCredentialKey(ctx, workers) : undefined;
    if (credential !== undefined) out.addSecret(credential.secret);
    const store = await openCliStore(ctx, sync);
    try {
      await workers.migrateWorkers(store.database());
      const registry = new workers.BusinessRegistry(store.database(), key);
      if (action === 'add') {
        const fresh = await registry.add(businessId!, str(ctx.values, 'name') ?? '', credential!);
        if (out.json) out.document({ businessId: String(businessId), added: fresh, replaced: !fresh });
        else
          out.info(
            `${fresh ? 'Registered' : 'Updated'} business ${businessId} (${workers.mask(credential!)}).`,
          );
      } else if (action === 'remove') {
        const removed = await registry.remove(businessId!);
        if (out.json) out.document({ businessId: String(businessId), removed });
        else if (removed) out.info(`Removed business ${businessId}.`);
        else throw new UsageError(`business ${businessId} is not registered`, 'See ym-chats business list.');
      } else {
        const entries = await registry.list();
        if (out.json) {
          out.document(
            entries.map((e) => ({
              businessId: String(e.businessId),
              name: e.name,
              addedAt: e.addedAt,
              credential: e.masked,
            })),
          );
        } else if (entries.length === 0)
          out.info('No businesses registered. Add one: ym-chats business add ID --api-key-file FILE');
        else
          out.write(
            renderTable(
              entries,
              [
                { header: 'BUSINESS', value: (e) => String(e.businessId), align: 'right' },
                { header: 'NAME', value: (e) => e.name, flexible: true },
                { header: 'ADDED', value: (e) => e.addedAt.slice(0, 19).replace('T', ' ') },
                { header: 'CREDENTIAL', value: (e) => e.masked },
              ],
              { maxWidth: out.width },
            ),
          );
      }
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};

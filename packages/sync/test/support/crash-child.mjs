// A sync process for the crash test, run from the built package as users run it, killed with SIGKILL at
// random instants. Usage: crash-child.mjs pass|serve STORE SCHEMA|- API_URL API_KEY BUSINESS [PORT]
import { ChatsApi } from '@ym-chats/sdk';
import { openStore, SyncEngine, startReceiver } from '../../dist/index.js';

const [mode, target, schema, url, apiKey, business, port] = process.argv.slice(2);
const store = await openStore(target, schema === '-' ? {} : { schema });
const api = new ChatsApi({ apiKey, baseUrl: url, pathPrefix: '/v2' });
if (mode === 'pass') {
  process.stdout.write('ready\n');
  await new SyncEngine({ api, store, businessId: Number(business) }).pass('once');
  await store.close();
  process.stdout.write('done\n');
} else {
  const receiver = await startReceiver({
    api,
    store,
    businessId: Number(business),
    port: Number(port),
    reconcileMinutes: 0,
  });
  process.stdout.write(`ready ${receiver.endpoint}\n`);
}

/** The text printed when the emulator starts on its own or from the CLI. */
import { DEFAULT_BUSINESS_ID, DEFAULT_CREDENTIALS, type Emulator, type EmulatorOptions } from './emulator.js';
import { isLoopbackName } from './request-guard.js';

export function startBanner(emulator: Emulator, options: EmulatorOptions): string {
  const url = emulator.url;
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  const businessId = credentials[0]?.businessIds[0] ?? DEFAULT_BUSINESS_ID;
  const first = credentials[0];
  const lines = [
    'Yandex Market Chats API emulator',
    `  API:        ${url}  (also ${url}/v2)`,
    `  Admin:      ${url}/_emulator/state`,
    `  Storage:    ${options.db ?? ':memory:'}${options.seed !== undefined ? `  (seed ${options.seed})` : ''}`,
    `  Quotas:     ${options.quotas?.enabled === false ? 'off' : `on (scale ${options.quotas?.scale ?? 1})`}`,
    `  Notify URL: ${options.notifications?.url ?? '(none)'}`,
    '  Credentials:',
  ];
  for (const c of credentials) {
    const parts = [];
    if (c.apiKey) parts.push(`Api-Key: ${c.apiKey}`);
    if (c.oauthToken) parts.push(`Authorization: Bearer ${c.oauthToken}`);
    lines.push(`    ${parts.join('  |  ')}  → business ${c.businessIds.join(', ')}`);
  }
  const auth = first?.apiKey
    ? `-H 'Api-Key: ${first.apiKey}'`
    : `-H 'Authorization: Bearer ${first?.oauthToken ?? ''}'`;
  lines.push(
    '  Try:',
    `    curl -s -X POST ${auth} -H 'Content-Type: application/json' -d '{}' '${url}/v2/businesses/${businessId}/chats?limit=20'`,
    `    curl -s -X POST -H 'Content-Type: application/json'${options.adminToken ? ' -H "X-Emulator-Admin-Token: $YM_EMULATOR_ADMIN_TOKEN"' : ''} -d '{"seed":1}' ${url}/_emulator/seed`,
  );
  return lines.join('\n');
}

/** For a non-loopback bind: what other machines can now reach. Undefined on a loopback address. */
export function exposureWarning(host: string, options: EmulatorOptions): string | undefined {
  if (isLoopbackName(host)) return undefined;
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  const keys = credentials.map((c) => c.apiKey ?? c.oauthToken).join(', ');
  return [
    `WARNING: listening on ${host}, so other machines on the network can reach:`,
    `  - the chat API with the credentials above (${keys}) and every stored chat, message and file;`,
    '  - the admin namespace /_emulator (reset, seed, credentials, faults, notification URL), guarded only by',
    '    the admin token (header X-Emulator-Admin-Token).',
    'Listen on 127.0.0.1 unless you mean to share it.',
  ].join('\n');
}

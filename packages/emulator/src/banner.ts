/** The text printed when the emulator starts on its own or from the CLI. */
import { DEFAULT_BUSINESS_ID, DEFAULT_CREDENTIALS, type Emulator, type EmulatorOptions } from './emulator.js';

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
    `    curl -s -X POST -H 'Content-Type: application/json' -d '{"seed":1}' ${url}/_emulator/seed`,
  );
  return lines.join('\n');
}

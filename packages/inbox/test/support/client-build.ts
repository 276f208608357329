/**
 * The page's bundle, built if missing (a targeted test run without `npm run build`, or a build elsewhere
 * that failed half-way): the server tests need the real assets, never a stand-in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function ensureClientBuilt(): void {
  if (existsSync(`${ROOT}dist/client/app.js`) && existsSync(`${ROOT}dist/client/app.css`)) return;
  const result = spawnSync(process.execPath, [`${ROOT}scripts/build-client.mjs`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building the inbox page failed: ${result.stderr}`);
}

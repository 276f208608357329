/**
 * Device tokens (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that logged in
 * as an agent carries a signed token naming that login. Its attempts at that login are limited per token
 * only (login-limiter.ts), so wrong passwords from other addresses or browsers — however many — never keep
 * the agent out of a browser they have used before. A new browser gets one by a password login or a login
 * link (`ym-chats agents link LOGIN`). Signed, not stored: verifying one costs no database read.
 */
import { createHash } from 'node:crypto';
import { nonce, type Signer } from './signing.js';

/**
 * One cookie per login (`ymc_device_` and a hash of the login): on a browser several agents share (a
 * reception desk), each keeps the token of their own login instead of the last one to log in replacing it.
 */
export const DEVICE_COOKIE_PREFIX = 'ymc_device_';

export function deviceCookieName(login: string): string {
  return `${DEVICE_COOKIE_PREFIX}${createHash('sha256').update(login).digest('base64url').slice(0, 16)}`;
}

/** A token older than this is ignored (the browser logs in once more and gets a new one). */
export const DEVICE_MAX_AGE_MS = 365 * 24 * 3600_000;

const loginField = (login: string) => Buffer.from(login).toString('base64url');

/** A fresh token for `login` on this browser (every login renews it). */
export function deviceToken(signer: Signer, login: string, now: number): Promise<string> {
  return signer.sign('device', [loginField(login), nonce(), String(now)]);
}

/** The device's id when `token` is one this server signed for `login` and it has not aged out. */
export async function deviceOf(
  signer: Signer,
  token: string | undefined,
  login: string,
  now: number,
): Promise<string | undefined> {
  const fields = await signer.open('device', token, 3);
  if (!fields) return undefined;
  const [who, device, issued] = fields as [string, string, string];
  const age = now - Number(issued);
  if (who !== loginField(login) || !(age >= -60_000 && age <= DEVICE_MAX_AGE_MS)) return undefined;
  return device;
}

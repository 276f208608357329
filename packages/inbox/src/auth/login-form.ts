/**
 * The login form's CSRF token, with nothing stored before a login (signed double-submit, OWASP's
 * "Signed Double-Submit Cookie"): the browser holds a random value in an HttpOnly cookie, the page holds a
 * token signing that value, and a login counts only when the header's token signs the cookie's value. A
 * token taken from another browser (the attacker's own visit) does not match the victim's cookie, and no
 * visitor, however many, costs the server a row — an agent's form cannot be pushed out by a flood.
 */
import { sameToken } from './sessions.js';
import { nonce, type Signer } from './signing.js';

export const LOGIN_FORM_COOKIE = 'ymc_login';

/** A form left open longer gets a fresh token and one more try (client/login.tsx). */
export const LOGIN_FORM_MAX_AGE_MS = 24 * 3600_000;

const BROWSER_VALUE = /^[A-Za-z0-9_-]{22}$/;

/**
 * A token for this browser's form. The cookie's value is kept when it has one, so a second tab does not
 * invalidate the first tab's token.
 */
export async function loginFormToken(
  signer: Signer,
  cookie: string | undefined,
  now: number,
): Promise<{ cookie: string; token: string }> {
  const browser = cookie !== undefined && BROWSER_VALUE.test(cookie) ? cookie : nonce();
  return { cookie: browser, token: await signer.sign('login-form', [browser, String(now)]) };
}

export async function isLoginFormToken(
  signer: Signer,
  cookie: string | undefined,
  token: string,
  now: number,
): Promise<boolean> {
  const fields = await signer.open('login-form', token, 2);
  if (!fields || cookie === undefined) return false;
  const [browser, issued] = fields as [string, string];
  const age = now - Number(issued);
  return sameToken(browser, cookie) && age >= -60_000 && age <= LOGIN_FORM_MAX_AGE_MS;
}

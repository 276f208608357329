/**
 * Credentials and the headers of each attempt: checks every credential can be sent and masked, registers
 * it with the redactor, and calls credential functions before each attempt so a refreshed token is used.
 * Secrets live in private fields only, so printing or serializing a client shows none of them.
 */
import pkg from '../../package.json' with { type: 'json' };
import type { OperationId } from '../operations.js';
import { ChatsApiError } from './errors.js';
import type { ClientOptions, Credential } from './options.js';
import { MIN_CREDENTIAL_LENGTH, type Redactor } from './redact.js';

// The version has one home, package.json (changesets bumps it); the build inlines it.
const USER_AGENT = `ym-chats-sdk/${pkg.version}`;

export class RequestHeaders {
  readonly #redactor: Redactor;
  readonly #apiKey: Credential | undefined;
  readonly #accessToken: Credential | undefined;
  readonly #fixed: Record<string, string>;

  constructor(options: ClientOptions, redactor: Redactor) {
    this.#redactor = redactor;
    this.#apiKey = options.apiKey;
    this.#accessToken = options.accessToken;
    if (options.apiKey === undefined && options.accessToken === undefined) {
      throw new TypeError(
        'ChatsApi: no credential. Pass apiKey (sent as the Api-Key header) or accessToken (an OAuth token, ' +
          'sent as Authorization: Bearer).',
      );
    }
    for (const [name, credential] of [
      ['apiKey', options.apiKey],
      ['accessToken', options.accessToken],
    ] as const) {
      if (credential === undefined || typeof credential === 'function') continue;
      if (typeof credential !== 'string')
        throw new TypeError(`ChatsApi: ${name} must be a string or a function returning one`);
      checkCredential(credential, name);
      redactor.add(credential);
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) this.#rememberSecret(name, value);
    this.#fixed = { accept: 'application/json', 'user-agent': USER_AGENT };
    if (typeof options.apiKey === 'string') this.#fixed['api-key'] = options.apiKey;
    if (typeof options.accessToken === 'string') this.#fixed.authorization = `Bearer ${options.accessToken}`;
    if (options.headers) Object.assign(this.#fixed, lowerKeys(options.headers));
  }

  /**
   * Headers for one attempt. With plain string credentials this stays synchronous (no extra ticks per
   * call). A credential function that fails or returns something unusable fails the call: nothing is sent.
   */
  build(
    operation: OperationId,
    contentType: string | undefined,
    extra: Record<string, string> | undefined,
  ): Record<string, string> | Promise<Record<string, string>> {
    const headers: Record<string, string> = { ...this.#fixed };
    if (contentType) headers['content-type'] = contentType;
    const apiKey = this.#apiKey;
    const accessToken = this.#accessToken;
    if (typeof apiKey !== 'function' && typeof accessToken !== 'function')
      return this.#withExtra(headers, extra);
    return (async () => {
      if (typeof apiKey === 'function') headers['api-key'] = await this.#resolve(apiKey, operation);
      if (typeof accessToken === 'function')
        headers.authorization = `Bearer ${await this.#resolve(accessToken, operation)}`;
      return this.#withExtra(headers, extra);
    })();
  }

  #withExtra(headers: Record<string, string>, extra: Record<string, string> | undefined) {
    if (!extra) return headers;
    for (const [name, value] of Object.entries(extra)) this.#rememberSecret(name, value);
    return Object.assign(headers, lowerKeys(extra));
  }

  async #resolve(credential: () => string | Promise<string>, operation: OperationId): Promise<string> {
    let value: unknown;
    try {
      value = await credential();
      if (typeof value !== 'string')
        throw new TypeError('the credential function returned no token (expected a string)');
      checkCredential(value, "the credential function's result");
    } catch (error) {
      const reason = this.#redactor.cause(error);
      throw new ChatsApiError(
        `${operation}: the credential function failed: ${reason.message.replace(/^ChatsApi: /, '')}. Nothing was sent.`,
        { operation, cause: reason },
      );
    }
    this.#redactor.add(value);
    return value;
  }

  #rememberSecret(name: string, value: string): void {
    const lower = name.toLowerCase();
    if (lower === 'api-key') this.#redactor.add(value);
    if (lower === 'authorization') this.#redactor.add(value.replace(/^Bearer\s+/i, ''));
  }
}

/**
 * A credential must be a valid header value and long enough to be masked. The usual culprit is a key read
 * from a file with its line ending; the message names the problem, never the value.
 */
export function checkCredential(value: string, name: string): void {
  if (value === '' || /[^\t\x20-\x7e\x80-\xff]/.test(value) || value.trim() !== value) {
    throw new TypeError(
      `ChatsApi: ${name} is empty, has surrounding spaces, or contains a line break, control or non-Latin-1 ` +
        'character (often a trailing newline from a file); it cannot be sent as a header',
    );
  }
  if (value.length < MIN_CREDENTIAL_LENGTH) {
    throw new TypeError(
      `ChatsApi: ${name} is ${value.length} characters long; credentials shorter than ${MIN_CREDENTIAL_LENGTH} ` +
        'are refused, since the SDK could not mask them in messages and logs without masking ordinary words ' +
        '(real Api-Keys and OAuth tokens are far longer: check that the whole value was copied)',
    );
  }
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

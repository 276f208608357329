/**
 * Production's auth rules: Api-Key (bare key) or `Authorization: Bearer`, mapped to the businesses it owns,
 * and the scopes a key was issued with (`x-auth-scopes` in the spec decides which methods each opens).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { apiError } from './errors.js';
import { OPERATIONS } from './operations.js';
import type { OperationId } from './types.js';
import { header } from './validate.js';

export interface EmulatorCredential {
  apiKey?: string;
  oauthToken?: string;
  businessIds: number[];
  /**
   * The access scopes the key was issued with, e.g. `['communication']` for a chat-only key that may not
   * read orders. Absent: every method (`all-methods`).
   */
  scopes?: string[];
}

export class Auth {
  private byKey = new Map<string, EmulatorCredential>();
  private byToken = new Map<string, EmulatorCredential>();
  private all: EmulatorCredential[] = [];

  constructor(credentials: EmulatorCredential[]) {
    for (const c of credentials) this.add(c);
  }

  add(credential: EmulatorCredential): void {
    const copy = {
      ...credential,
      businessIds: [...credential.businessIds],
      ...(credential.scopes ? { scopes: [...credential.scopes] } : {}),
    };
    this.all.push(copy);
    if (copy.apiKey) this.byKey.set(copy.apiKey, copy);
    if (copy.oauthToken) this.byToken.set(copy.oauthToken, copy);
  }

  list(): EmulatorCredential[] {
    return this.all.map((c) => ({
      ...c,
      businessIds: [...c.businessIds],
      ...(c.scopes ? { scopes: [...c.scopes] } : {}),
    }));
  }

  /**
   * Who is calling. When both headers come, the Api-Key decides (a bad key fails even with a good token).
   * Throws 401 for missing credentials or a bad key, 403 for an unknown OAuth token.
   */
  authenticate(headers: IncomingHttpHeaders): EmulatorCredential {
    const apiKey = header(headers, 'api-key');
    if (apiKey !== undefined) {
      if (/^bearer\s/i.test(apiKey))
        throw apiError(401, 'UNAUTHORIZED', 'Api-Key must be the bare key, without a "Bearer " prefix');
      const credential = this.byKey.get(apiKey);
      if (!credential) throw apiError(401, 'UNAUTHORIZED', 'Api-Key token is invalid');
      return credential;
    }
    const authorization = header(headers, 'authorization');
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!m) throw apiError(401, 'UNAUTHORIZED', 'Authorization header must be "Bearer <OAuth token>"');
      const credential = this.byToken.get(m[1]!);
      if (!credential) throw apiError(403, 'FORBIDDEN', 'OAuth token is invalid or expired');
      return credential;
    }
    throw apiError(
      401,
      'UNAUTHORIZED',
      'No credentials: send an Api-Key header or Authorization: Bearer <token>',
    );
  }

  authorize(credential: EmulatorCredential, businessId: number): void {
    if (!credential.businessIds.includes(businessId))
      throw apiError(
        403,
        'FORBIDDEN',
        `Access denied: the credential has no access to business ${businessId}`,
      );
  }

  /** 403 unless the credential's scopes open the operation (a credential without a scope list has all). */
  permit(credential: EmulatorCredential, op: OperationId): void {
    const needed = OPERATIONS[op].scopes;
    if (credential.scopes === undefined || credential.scopes.some((s) => needed.includes(s))) return;
    throw apiError(
      403,
      'FORBIDDEN',
      `Access denied: the credential's scopes (${credential.scopes.join(', ') || 'none'}) do not include ` +
        `any that ${op} needs: ${needed.join(', ')}`,
    );
  }
}

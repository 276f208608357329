/**
 * The businesses the workers share, with their credentials sealed (see credentials.ts). Listing needs no
 * key and never shows a secret; opening a credential needs the key it was sealed with.
 */
import type { Sql } from '@ym-chats/sync';
import { type Credential, type CredentialKind, mask, open, seal } from './credentials.js';

export interface BusinessEntry {
  businessId: bigint;
  name: string;
  kind: CredentialKind;
  /** e.g. `api-key ••••9f3a` */
  masked: string;
  addedAt: string;
}

export class BusinessRegistry {
  constructor(
    private readonly sql: Sql,
    /** Needed to add or open credentials; listing and removing work without it. */
    private readonly key?: Buffer,
  ) {}

  private requireKey(): Buffer {
    if (this.key === undefined) throw new TypeError('BusinessRegistry: a credential key is needed for this');
    return this.key;
  }

  /** Adds a business or replaces its name and credential; true when it was new. */
  async add(
    businessId: bigint,
    name: string,
    credential: Credential,
    now = new Date().toISOString(),
  ): Promise<boolean> {
    const sealed = seal(this.requireKey(), businessId, credential);
    return this.sql.transaction(async (tx) => {
      const existing = await tx.all('SELECT 1 AS x FROM businesses WHERE business_id = ?', [businessId]);
      await tx.run(
        `INSERT INTO businesses (business_id, name, credential_kind, credential_sealed, credential_hint, added_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (business_id) DO UPDATE SET name = excluded.name, credential_kind = excluded.credential_kind,
           credential_sealed = excluded.credential_sealed, credential_hint = excluded.credential_hint`,
        [businessId, name, credential.kind, sealed, mask(credential), now],
      );
      return existing.length === 0;
    });
  }

  async remove(businessId: bigint): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      await tx.run('DELETE FROM business_leases WHERE business_id = ?', [businessId]);
      return (await tx.run('DELETE FROM businesses WHERE business_id = ?', [businessId])) > 0;
    });
  }

  async list(): Promise<BusinessEntry[]> {
    const rows = await this.sql.all(
      'SELECT business_id, name, credential_kind, credential_hint, added_at FROM businesses ORDER BY business_id',
    );
    return rows.map((r) => ({
      businessId: BigInt(r.business_id as bigint),
      name: String(r.name),
      kind: String(r.credential_kind) as CredentialKind,
      masked: String(r.credential_hint),
      addedAt: String(r.added_at),
    }));
  }

  /** Just the ids, in order (no names, no credentials). */
  async ids(): Promise<bigint[]> {
    const rows = await this.sql.all('SELECT business_id FROM businesses ORDER BY business_id');
    return rows.map((r) => BigInt(r.business_id as bigint));
  }

  async has(businessId: bigint): Promise<boolean> {
    return (
      (await this.sql.all('SELECT 1 AS x FROM businesses WHERE business_id = ?', [businessId])).length > 0
    );
  }

  async count(): Promise<number> {
    const rows = await this.sql.all('SELECT COUNT(*) AS n FROM businesses');
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Whether this key opens at least one stored credential ('empty' when none is registered). Tries every
   * row until one opens, so a single corrupt row does not pass for a wrong key.
   */
  async keyCheck(): Promise<'empty' | 'opens' | 'opens-none'> {
    const key = this.requireKey();
    const rows = await this.sql.all('SELECT business_id, credential_kind, credential_sealed FROM businesses');
    if (rows.length === 0) return 'empty';
    for (const row of rows) {
      try {
        open(
          key,
          BigInt(row.business_id as bigint),
          String(row.credential_kind) as CredentialKind,
          String(row.credential_sealed),
        );
        return 'opens';
      } catch {
        // try the next one
      }
    }
    return 'opens-none';
  }

  /** The business's credential, decrypted; undefined when it is not registered. */
  async credential(businessId: bigint): Promise<Credential | undefined> {
    const rows = await this.sql.all(
      'SELECT credential_kind, credential_sealed FROM businesses WHERE business_id = ?',
      [businessId],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    const kind = String(row.credential_kind) as CredentialKind;
    return { kind, secret: open(this.requireKey(), businessId, kind, String(row.credential_sealed)) };
  }
}

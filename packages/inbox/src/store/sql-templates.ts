/** Quick replies in the inbox's table (`inbox_templates`), shared by every `serve` process on the database. */
import type { Row, Sql } from '@ym-chats/sync';
import {
  checkTemplate,
  DEFAULT_TEMPLATES,
  nameTaken,
  noTemplate,
  type Template,
  type TemplateDraft,
  type TemplateStore,
} from '../team/templates.js';

const COLUMNS = 'template_id, business_id, name, text, changed_by, changed_ms';

function fromRow(r: Row): Template {
  const template: Template = {
    id: Number(r.template_id),
    businessId: Number(r.business_id),
    name: String(r.name),
    text: String(r.text),
    updatedAt: new Date(Number(r.changed_ms)).toISOString(),
  };
  if (r.changed_by !== null) template.updatedBy = String(r.changed_by);
  return template;
}

/** A unique-index violation on either engine (a name taken by another agent at the same moment). */
const isUniqueViolation = (error: unknown) =>
  error instanceof Error &&
  ((error as { code?: unknown }).code === '23505' || /UNIQUE constraint failed/.test(error.message));

export class SqlTemplateStore implements TemplateStore {
  /** Businesses known to be seeded: their reads need no write. */
  private readonly seeded = new Set<number>();

  constructor(
    private readonly sql: Sql,
    private readonly seeds: readonly TemplateDraft[] = DEFAULT_TEMPLATES,
    private readonly now: () => number = Date.now,
  ) {
    seeds.forEach(checkTemplate);
  }

  /** The built-ins, once per business for the database's lifetime (a note in `inbox_template_seeds`). */
  private async seed(businessId: number): Promise<void> {
    if (this.seeded.has(businessId)) return;
    await this.sql.transaction(async (tx) => {
      const first = await tx.run(
        `INSERT INTO inbox_template_seeds (business_id, seeded_ms) VALUES (?, ?)
         ON CONFLICT (business_id) DO NOTHING`,
        [businessId, this.now()],
      );
      if (first === 0) return;
      for (const seed of this.seeds) {
        const { name, text } = checkTemplate(seed);
        await tx.run(
          `INSERT INTO inbox_templates (business_id, name, text, changed_by, changed_ms) VALUES (?, ?, ?, NULL, ?)
           ON CONFLICT (business_id, name) DO NOTHING`,
          [businessId, name, text, this.now()],
        );
      }
    });
    this.seeded.add(businessId);
  }

  async list(businessId: number): Promise<Template[]> {
    await this.seed(businessId);
    const rows = await this.sql.all(
      `SELECT ${COLUMNS} FROM inbox_templates WHERE business_id = ? ORDER BY template_id`,
      [businessId],
    );
    return rows.map(fromRow);
  }

  async create(businessId: number, draft: TemplateDraft, by: string): Promise<Template> {
    const { name, text } = checkTemplate(draft);
    await this.seed(businessId);
    try {
      const rows = await this.sql.all(
        `INSERT INTO inbox_templates (business_id, name, text, changed_by, changed_ms) VALUES (?, ?, ?, ?, ?)
         RETURNING ${COLUMNS}`,
        [businessId, name, text, by, this.now()],
      );
      return fromRow(rows[0]!);
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(name);
      throw error;
    }
  }

  async update(businessId: number, id: number, draft: TemplateDraft, by: string): Promise<Template> {
    const { name, text } = checkTemplate(draft);
    let rows: Row[];
    try {
      rows = await this.sql.all(
        `UPDATE inbox_templates SET name = ?, text = ?, changed_by = ?, changed_ms = ?
          WHERE business_id = ? AND template_id = ? RETURNING ${COLUMNS}`,
        [name, text, by, this.now(), businessId, id],
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(name);
      throw error;
    }
    if (!rows[0]) throw noTemplate();
    return fromRow(rows[0]);
  }

  async remove(businessId: number, id: number): Promise<void> {
    const n = await this.sql.run('DELETE FROM inbox_templates WHERE business_id = ? AND template_id = ?', [
      businessId,
      id,
    ]);
    if (n === 0) throw noTemplate();
  }
}

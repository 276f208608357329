/**
 * Quick replies in the inbox's table (`inbox_templates`), shared by every `serve` process on the database;
 * the files they carry in `inbox_template_files` (bytes as base64 text, see migration 13).
 */
import type { Row, Sql } from '@ym-chats/sync';
import {
  checkTemplate,
  checkTemplateFile,
  DEFAULT_TEMPLATES,
  nameTaken,
  noFile,
  noTemplate,
  type Template,
  type TemplateDraft,
  type TemplateFile,
  type TemplateFileUpload,
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
    files: [],
  };
  if (r.changed_by !== null) template.updatedBy = String(r.changed_by);
  return template;
}

const FILE_COLUMNS = 'file_id, template_id, name, type, size';

const fileFromRow = (r: Row): TemplateFile => ({
  id: Number(r.file_id),
  name: String(r.name),
  type: String(r.type),
  size: Number(r.size),
});

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
    const templates = rows.map(fromRow);
    const byId = new Map(templates.map((t) => [t.id, t]));
    const files = await this.sql.all(
      `SELECT ${FILE_COLUMNS} FROM inbox_template_files WHERE business_id = ? ORDER BY template_id, file_id`,
      [businessId],
    );
    for (const f of files) byId.get(Number(f.template_id))?.files.push(fileFromRow(f));
    return templates;
  }

  /** The template's files, for an answer that returns the template. */
  private async withFiles(template: Template): Promise<Template> {
    const files = await this.sql.all(
      `SELECT ${FILE_COLUMNS} FROM inbox_template_files WHERE business_id = ? AND template_id = ? ORDER BY file_id`,
      [template.businessId, template.id],
    );
    template.files = files.map(fileFromRow);
    return template;
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
    return this.withFiles(fromRow(rows[0]));
  }

  async remove(businessId: number, id: number): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const n = await tx.run('DELETE FROM inbox_templates WHERE business_id = ? AND template_id = ?', [
        businessId,
        id,
      ]);
      if (n === 0) throw noTemplate();
      await tx.run('DELETE FROM inbox_template_files WHERE business_id = ? AND template_id = ?', [
        businessId,
        id,
      ]);
    });
  }

  /**
   * Checked and counted inside the transaction that writes it, which also marks the template changed: the
   * template's row update makes a concurrent attach wait (PostgreSQL) or is serialized (SQLite), so two
   * agents cannot together pass the count.
   */
  async addFile(
    businessId: number,
    templateId: number,
    upload: TemplateFileUpload,
    by: string,
  ): Promise<TemplateFile> {
    return this.sql.transaction(async (tx) => {
      await this.touch(tx, businessId, templateId, by);
      const present = await tx.all(
        'SELECT COUNT(*) AS n FROM inbox_template_files WHERE business_id = ? AND template_id = ?',
        [businessId, templateId],
      );
      const { name, type, data } = checkTemplateFile(upload, Number(present[0]!.n));
      const rows = await tx.all(
        `INSERT INTO inbox_template_files (business_id, template_id, name, type, size, content)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING ${FILE_COLUMNS}`,
        [businessId, templateId, name, type, data.length, data.toString('base64')],
      );
      return fileFromRow(rows[0]!);
    });
  }

  async removeFile(businessId: number, templateId: number, fileId: number, by: string): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await this.touch(tx, businessId, templateId, by);
      const n = await tx.run(
        'DELETE FROM inbox_template_files WHERE business_id = ? AND template_id = ? AND file_id = ?',
        [businessId, templateId, fileId],
      );
      if (n === 0) throw noFile();
    });
  }

  async readFile(
    businessId: number,
    templateId: number,
    fileId: number,
  ): Promise<TemplateFile & { data: Buffer }> {
    const rows = await this.sql.all(
      `SELECT ${FILE_COLUMNS}, content FROM inbox_template_files
        WHERE business_id = ? AND template_id = ? AND file_id = ?`,
      [businessId, templateId, fileId],
    );
    if (!rows[0]) throw noFile();
    return { ...fileFromRow(rows[0]), data: Buffer.from(String(rows[0].content), 'base64') };
  }

  /** The template exists (else `noTemplate`) and was changed now by `by`. */
  private async touch(tx: Sql, businessId: number, templateId: number, by: string): Promise<void> {
    const n = await tx.run(
      'UPDATE inbox_templates SET changed_by = ?, changed_ms = ? WHERE business_id = ? AND template_id = ?',
      [by, this.now(), businessId, templateId],
    );
    if (n === 0) throw noTemplate();
  }
}

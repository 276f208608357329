/**
 * Everything a command writes goes through here: data to stdout (a table or one JSON document), hints,
 * warnings, progress and errors to stderr. Known secrets are masked on the way out, whatever the source.
 */
import type { ErrorReport } from '../errors.js';
import type { Io } from '../io.js';
import { type Colors, colorEnabled, colors } from './color.js';
import { jsonDocument, jsonLine } from './json.js';
import { Progress } from './progress.js';
import { safeText } from './safe-text.js';

const MASK = '[REDACTED]';

export class Output {
  readonly json: boolean;
  /** Colours for stdout. */
  readonly c: Colors;
  /** Colours for stderr. */
  readonly e: Colors;
  readonly progress: Progress;
  private readonly secrets = new Set<string>();

  constructor(
    readonly io: Io,
    options: { json: boolean; noColor: boolean },
  ) {
    this.json = options.json;
    this.c = colors(colorEnabled(io.stdout, io.env, options.noColor));
    this.e = colors(colorEnabled(io.stderr, io.env, options.noColor));
    this.progress = new Progress(io.stderr);
  }

  /** Masks this value in everything written from now on. */
  addSecret(value: string | undefined): void {
    // Very short strings would mask ordinary words; real keys are long.
    if (value !== undefined && value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  }

  /** Terminal width for tables; 0 (no limit) when stdout is not a terminal, so pipes get whole lines. */
  get width(): number {
    return this.io.stdout.isTTY === true ? (this.io.stdout.columns ?? 100) : 0;
  }

  write(text: string): void {
    this.io.stdout.write(this.redact(text));
  }

  document(value: unknown): void {
    this.write(jsonDocument(value));
  }

  ndjson(value: unknown): void {
    this.write(jsonLine(value));
  }

  /** A note for the person at the terminal (next page, what to try next); never mixed into stdout data. */
  hint(text: string): void {
    this.progress.done();
    // Hints quote server data (page tokens, ids); like buyer text they reach the terminal made safe.
    this.io.stderr.write(this.redact(`${this.e.dim(safeText(text))}\n`));
  }

  info(text: string): void {
    this.progress.done();
    this.io.stderr.write(this.redact(`${text}\n`));
  }

  warn(text: string): void {
    this.progress.done();
    this.io.stderr.write(this.redact(`${this.e.yellow('warning:')} ${safeText(text)}\n`));
  }

  error(report: ErrorReport): void {
    this.progress.done();
    if (this.json) {
      const error: Record<string, unknown> = {
        type: report.type,
        message: report.message,
        status: report.status,
        exitCode: report.exitCode,
      };
      if (report.hint !== undefined) error.hint = report.hint;
      if (report.details !== undefined) Object.assign(error, report.details);
      this.io.stderr.write(this.redact(jsonLine({ error })));
      return;
    }
    // Error texts can quote what the server sent; they are shown as safely as buyer text.
    const lines = [`${this.e.red(this.e.bold('error:'))} ${safeText(report.message)}`];
    if (report.hint !== undefined) {
      for (const [i, line] of report.hint.split('\n').entries())
        lines.push(`${i === 0 ? 'hint: ' : '      '}${safeText(line)}`);
    }
    this.io.stderr.write(this.redact(`${lines.join('\n')}\n`));
  }
}

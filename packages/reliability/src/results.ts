/** Per-source result files under `packages/reliability/.results/` (git-ignored), read back by the summary. */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addFigures, emptyFigures, type Figures } from './figures.js';

export const RESULTS_DIR = fileURLToPath(new URL('../.results/', import.meta.url));

export interface SourceResult {
  source: string;
  figures: Figures;
  /** Free-form facts worth printing under the table (e.g. RSS after warm-up and at the end). */
  notes: string[];
}

/** Collects one source's figures in memory; `save()` writes them (tests call it in afterAll). */
export class ResultSink {
  readonly figures = emptyFigures();
  readonly notes: string[] = [];
  constructor(
    readonly source: string,
    private readonly dir = RESULTS_DIR,
  ) {}

  add(more: Partial<Figures>): void {
    addFigures(this.figures, more);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  save(): void {
    mkdirSync(this.dir, { recursive: true });
    const result: SourceResult = { source: this.source, figures: this.figures, notes: this.notes };
    writeFileSync(join(this.dir, `${this.source}.json`), `${JSON.stringify(result, null, 2)}\n`);
  }
}

export function clearResults(dir = RESULTS_DIR): void {
  rmSync(dir, { recursive: true, force: true });
}

export function readResults(dir = RESULTS_DIR): SourceResult[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    const raw = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Partial<SourceResult>;
    return {
      source: raw.source ?? name.replace(/\.json$/, ''),
      figures: addFigures(emptyFigures(), raw.figures ?? {}),
      notes: Array.isArray(raw.notes) ? raw.notes.filter((n) => typeof n === 'string') : [],
    };
  });
}

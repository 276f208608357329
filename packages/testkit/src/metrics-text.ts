/**
 * A strict reader of Prometheus's text exposition format (0.0.4) for the metrics tests: every line must be a
 * `# HELP`, a `# TYPE` or a sample of a family whose type came before it; anything else throws, naming the
 * line. Independent of prom-client, which wrote the text.
 */

export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, FamilyType>;
  help: Map<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`bad labels in: ${line}`);
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m[0].length);
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`bad value in: ${line}`);
  return n;
}

/** The family a sample belongs to: a histogram's `_bucket`, `_sum` and `_count` belong to it. */
function familyOf(name: string, types: Map<string, FamilyType>): string | undefined {
  if (types.has(name)) return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (m && (types.get(m[1]!) === 'histogram' || types.get(m[1]!) === 'summary')) return m[1];
  return undefined;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, FamilyType>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
      if (!m) throw new Error(`bad HELP line: ${line}`);
      help.set(m[1]!, m[2]!);
    } else if (line.startsWith('# TYPE ')) {
      const m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
      if (!m) throw new Error(`bad TYPE line: ${line}`);
      if (types.has(m[1]!)) throw new Error(`second TYPE for ${m[1]}`);
      types.set(m[1]!, m[2] as FamilyType);
    } else if (line.startsWith('#')) {
    } else {
      const m = SAMPLE.exec(line);
      if (!m) throw new Error(`not a sample: ${line}`);
      if (familyOf(m[1]!, types) === undefined) throw new Error(`sample before its TYPE: ${line}`);
      samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? '', line), value: parseValue(m[3]!, line) });
    }
  }
  return { types, help, samples };
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
export function sampleOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = exposition.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

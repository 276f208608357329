/** A plain column table: header row, left-aligned cells, one flexible column that gives way to the terminal width. */
import { safeLine } from './safe-text.js';
import { displayWidth, truncate } from './width.js';

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Colour applied after measuring, so escape codes never skew the layout. */
  style?: (text: string, row: T) => string;
  /** This column shrinks (with an ellipsis) when the table is wider than the terminal. */
  flexible?: boolean;
  align?: 'left' | 'right';
}

export function renderTable<T>(
  rows: T[],
  columns: Column<T>[],
  options: { maxWidth?: number; headerStyle?: (text: string) => string } = {},
): string {
  const cells = rows.map((row) => columns.map((c) => oneLine(c.value(row))));
  const widths = columns.map((c, i) =>
    Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]!))),
  );
  const gap = 2;
  const maxWidth = options.maxWidth ?? 0;
  if (maxWidth > 0) {
    const total = widths.reduce((a, b) => a + b, 0) + gap * (columns.length - 1);
    const flex = columns.findIndex((c) => c.flexible);
    if (flex >= 0 && total > maxWidth) {
      widths[flex] = Math.max(displayWidth(columns[flex]!.header), 12, widths[flex]! - (total - maxWidth));
    }
  }
  const pad = (text: string, width: number, align: 'left' | 'right' | undefined) => {
    const space = ' '.repeat(Math.max(0, width - displayWidth(text)));
    return align === 'right' ? space + text : text + space;
  };
  const line = (parts: string[]) => parts.join(' '.repeat(gap)).trimEnd();
  const header = line(
    columns.map((c, i) => {
      const text = pad(c.header, widths[i]!, c.align);
      return options.headerStyle ? options.headerStyle(text) : text;
    }),
  );
  const body = cells.map((r, rowIndex) =>
    line(
      columns.map((c, i) => {
        const text = truncate(r[i]!, widths[i]!);
        const padded = pad(text, widths[i]!, c.align);
        return c.style ? c.style(padded, rows[rowIndex]!) : padded;
      }),
    ),
  );
  return `${[header, ...body].join('\n')}\n`;
}

/** Table cells are one line of safe text; newlines in API text would break the grid. */
function oneLine(text: string): string {
  return safeLine(text.replace(/\s*[\r\n]+\s*/g, ' ⏎ '));
}

/** Key/value block for a single record. */
export function renderFields(fields: [string, string][], keyStyle?: (text: string) => string): string {
  const width = Math.max(...fields.map(([k]) => displayWidth(k)));
  return `${fields
    .map(([k, v]) => {
      const key = `${k}:`.padEnd(width + 1);
      return `${keyStyle ? keyStyle(key) : key}  ${v}`;
    })
    .join('\n')}\n`;
}

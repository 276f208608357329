/**
 * A report's waits as CSV, one row per wait (RFC 4180): the one writer behind `ym-chats report --csv` and
 * the inbox's CSV download, so both give the same columns and the same text.
 */
import type { ReportWait } from './report.js';

export const REPORT_CSV_HEADER = [
  'business_id',
  'chat_id',
  'order_id',
  'return_id',
  'opened_at',
  'closed_at',
  'response_seconds',
  'agent',
  'within_target',
  'first_wait',
] as const;

/** One field, quoted when needed, and never read as a formula by a spreadsheet. */
function field(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function row(w: ReportWait): string {
  const cells = [
    String(w.businessId),
    String(w.chatId),
    w.orderId === null ? '' : String(w.orderId),
    w.returnId === null ? '' : String(w.returnId),
    w.openedAt,
    w.closedAt ?? '',
    w.responseSeconds === null ? '' : String(w.responseSeconds),
    w.agent ?? '',
    w.withinTarget === null ? '' : String(w.withinTarget),
    String(w.first),
  ];
  return cells.map(field).join(',');
}

/** The header and one line per wait, each ending in a newline. */
export function reportCsv(waits: readonly ReportWait[]): string {
  return `${[REPORT_CSV_HEADER.join(','), ...waits.map(row)].join('\n')}\n`;
}

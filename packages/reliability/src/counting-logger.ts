/**
 * A Logger for the SDK that counts what the suite reports: one `debug` "→" line per HTTP attempt and one
 * `warn` line with `delayMs` per retry (the SDK's documented log shape). It can also keep every line, for
 * the secret-leak checks.
 */
import type { Logger } from '@ym-chats/sdk';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data: Record<string, unknown> | undefined;
}

export class CountingLogger implements Logger {
  calls = 0;
  retries = 0;
  readonly lines: LogLine[] = [];

  constructor(private readonly keepLines = false) {}

  private record(level: LogLine['level'], message: string, data?: Record<string, unknown>): void {
    if (level === 'debug' && message.includes(' → ')) this.calls++;
    if (level === 'warn' && typeof data?.delayMs === 'number') this.retries++;
    if (this.keepLines) this.lines.push({ level, message, data });
  }

  debug(message: string, data?: Record<string, unknown>): void {
    this.record('debug', message, data);
  }
  info(message: string, data?: Record<string, unknown>): void {
    this.record('info', message, data);
  }
  warn(message: string, data?: Record<string, unknown>): void {
    this.record('warn', message, data);
  }
  error(message: string, data?: Record<string, unknown>): void {
    this.record('error', message, data);
  }
}

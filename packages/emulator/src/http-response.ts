/** Writing answers: JSON bodies and the API's error envelope, shared by the chat API and the admin namespace. */
import type { ServerResponse } from 'node:http';
import { ApiError, errorBody } from './errors.js';

export type Headers = Record<string, string>;

export function sendJson(res: ServerResponse, status: number, body: string | Buffer, headers: Headers): void {
  if (res.headersSent || res.destroyed) return;
  headers['content-type'] = 'application/json;charset=UTF-8';
  headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.writeHead(status, headers);
  res.end(body);
}

export function sendError(res: ServerResponse, err: unknown, headers: Headers): void {
  if (err instanceof ApiError) {
    sendJson(res, err.status, errorBody(err.errors), headers);
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendJson(res, 500, errorBody([{ code: 'INTERNAL_ERROR', message: `Emulator error: ${message}` }]), headers);
}

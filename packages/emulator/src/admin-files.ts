/** File downloads: they stand in for Yandex's file service, so they take the API's credentials. */
import type { AdminContext, AdminDeps } from './admin-context.js';
import { apiError, FieldErrors } from './errors.js';
import { parseIdText } from './ids.js';

/** Serves a stored file to a caller whose credentials own the file's business. */
export function downloadFile(deps: AdminDeps, ctx: AdminContext): unknown {
  const credential = deps.auth.authenticate(ctx.req.headers);
  const errors = new FieldErrors();
  const fileId = parseIdText(ctx.params[0]!, 'fileId', errors, 'INVALID_PARAMETER');
  errors.throwIfAny();
  const file = deps.store.getFile(fileId!);
  if (!file) throw apiError(404, 'NOT_FOUND', `file ${ctx.params[0]} not found`);
  deps.auth.authorize(credential, file.business_id);
  const res = ctx.res;
  const fallback = file.name.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'file';
  res.writeHead(200, {
    'content-type': file.content_type,
    'content-length': String(file.data.length),
    'content-disposition': `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(file.name || 'file')}`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
  });
  res.end(file.data);
  return undefined;
}

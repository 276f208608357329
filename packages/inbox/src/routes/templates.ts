/**
 * A business's quick replies (`/api/businesses/:businessId/templates`), for the agents who serve it:
 * listed, added, changed and deleted from the page's Templates dialog, kept in the store (team/templates.ts)
 * so every agent of the business and every `serve` process shows the same ones.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../http/respond.js';
import { FILE_MAX_BYTES } from '../shared/limits.js';
import { unfilledVariables } from '../shared/template-fill.js';
import { TemplateError } from '../team/templates.js';
import type { ApiContext } from './context.js';
import { checkBusiness, parseId, signedIn } from './context.js';

const BASE = '/api/businesses/:businessId(^\\d+$)/templates';

interface Params {
  businessId: string;
  templateId?: string;
  fileId?: string;
}

const TEMPLATE = `${BASE}/:templateId(^\\d+$)`;
const FILE = `${TEMPLATE}/files/:fileId(^\\d+$)`;

const DRAFT = {
  body: {
    type: 'object',
    required: ['name', 'text'],
    properties: { name: { type: 'string' }, text: { type: 'string' } },
  },
} as const;

const INVALID = {
  name: ['BAD_TEMPLATE', 'name must be a string'],
  text: ['BAD_TEMPLATE', 'text must be a string'],
} as const;

/** The business from the path, once the agent is known to serve it. */
function business(ctx: ApiContext, request: FastifyRequest<{ Params: Params }>) {
  const { agent } = signedIn(request);
  const businessId = parseId(request.params.businessId, 'businessId');
  checkBusiness(ctx, agent, businessId);
  return { agent, businessId };
}

/** The store's refusals, as the API answers them (the message names the problem and the fix). */
async function answer<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    const status =
      error.code === 'NAME_TAKEN'
        ? 409
        : error.code === 'NO_TEMPLATE' || error.code === 'NO_FILE'
          ? 404
          : 400;
    throw new HttpError(status, error.code, error.message);
  }
}

export function templateRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.get<{ Params: Params }>(BASE, async (request) => {
    const { businessId } = business(ctx, request);
    return { templates: await ctx.templates.list(businessId) };
  });
  api.post<{ Params: Params; Body: { name: string; text: string } }>(
    BASE,
    { schema: DRAFT, config: { invalid: INVALID } },
    async (request) => {
      const { agent, businessId } = business(ctx, request);
      const { name, text } = request.body;
      return { template: await answer(ctx.templates.create(businessId, { name, text }, agent.login)) };
    },
  );
  api.put<{ Params: Params; Body: { name: string; text: string } }>(
    TEMPLATE,
    { schema: DRAFT, config: { invalid: INVALID } },
    async (request) => {
      const { agent, businessId } = business(ctx, request);
      const id = parseId(request.params.templateId, 'templateId');
      const { name, text } = request.body;
      return { template: await answer(ctx.templates.update(businessId, id, { name, text }, agent.login)) };
    },
  );
  api.delete<{ Params: Params }>(TEMPLATE, async (request) => {
    const { businessId } = business(ctx, request);
    await answer(ctx.templates.remove(businessId, parseId(request.params.templateId, 'templateId')));
    return { ok: true };
  });
  templateFileRoutes(api, ctx);
}

/**
 * A template's files: attached as the raw body (its name URI-encoded in X-File-Name, its type in
 * X-File-Type), removed, and read back as bytes by the page that inserts the template into a reply.
 */
function templateFileRoutes(api: FastifyInstance, ctx: ApiContext): void {
  // Its own context: the body is the file's bytes whatever its type, up to the reply's file limit.
  api.register(async (files) => {
    files.removeAllContentTypeParsers();
    files.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: FILE_MAX_BYTES },
      (_request, body, done) => done(null, body),
    );
    files.post<{ Params: Params; Body: Buffer | undefined }>(
      `${TEMPLATE}/files`,
      { bodyLimit: FILE_MAX_BYTES },
      async (request) => {
        const { agent, businessId } = business(ctx, request);
        const id = parseId(request.params.templateId, 'templateId');
        const header = (name: string) => {
          const value = request.headers[name];
          return typeof value === 'string' ? value : '';
        };
        let name: string;
        try {
          name = decodeURIComponent(header('x-file-name'));
        } catch {
          throw new HttpError(400, 'BAD_FILE', 'X-File-Name must be URI-encoded');
        }
        const upload = { name, type: header('x-file-type'), data: request.body ?? Buffer.alloc(0) };
        return { file: await answer(ctx.templates.addFile(businessId, id, upload, agent.login)) };
      },
    );
  });
  api.delete<{ Params: Params }>(FILE, async (request) => {
    const { agent, businessId } = business(ctx, request);
    const id = parseId(request.params.templateId, 'templateId');
    const fileId = parseId(request.params.fileId, 'fileId');
    await answer(ctx.templates.removeFile(businessId, id, fileId, agent.login));
    return { ok: true };
  });
  api.get<{ Params: Params }>(FILE, async (request, reply) => {
    const { businessId } = business(ctx, request);
    const id = parseId(request.params.templateId, 'templateId');
    const file = await answer(
      ctx.templates.readFile(businessId, id, parseId(request.params.fileId, 'fileId')),
    );
    // Bytes for the page's script (it knows the type from the list); never a document of this origin.
    return reply
      .headers({
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Cache-Control': 'private, no-cache',
      })
      .send(file.data);
  });
}

/**
 * A text reply still holding a template variable (`{returnId}` where the chat had none) is refused,
 * whatever client sent it: the page asks the agent for the value first, so this is the net under it.
 */
export function refuseUnfilled(text: string): void {
  const left = unfilledVariables(text);
  if (left.length === 0) return;
  throw new HttpError(
    400,
    'UNFILLED_VARIABLE',
    `the reply still holds ${left.join(', ')}: write the value in its place (nothing was sent)`,
  );
}

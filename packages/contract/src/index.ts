/**
 * Contract checks against the vendored official OpenAPI descriptions (`spec/`).
 *
 * Test-only: SDK tests validate every request the client builds, emulator tests validate every response the
 * emulator returns. Objects with declared properties are treated as closed, so a misspelled field fails.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

/** The chat methods then (`seed`) and now (`current`); `orders`: the order and return reads a chat's context needs. */
export type SpecVersion = 'seed' | 'current' | 'orders';

export const specDir = fileURLToPath(new URL('../../../spec/', import.meta.url));

const specFiles: Record<SpecVersion, string> = {
  seed: 'chats.seed.openapi.yaml',
  current: 'chats.current.openapi.yaml',
  orders: 'orders-returns.openapi.yaml',
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonObject;
  'x-aliases'?: string[];
}

interface OperationInfo {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  parameters: ParameterObject[];
  requestContentType: string | undefined;
  requestSchemaRef: string | undefined;
  responses: Record<string, string | undefined>;
}

export interface LoadedSpec {
  version: SpecVersion;
  doc: JsonObject;
  operations: OperationInfo[];
  securitySchemes: string[];
}

const cache = new Map<SpecVersion, LoadedSpec & { ajv: Ajv; validators: Map<string, ValidateFunction> }>();

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Closes every plain object schema (declared properties, no composition) so unknown fields are errors.
 * Parts of an `allOf` stay open: closing them would reject the properties the other parts add.
 */
function closeObjects(node: Json, allOfPart = false): void {
  if (Array.isArray(node)) {
    for (const item of node) closeObjects(item, allOfPart);
    return;
  }
  if (!isObject(node)) return;
  if (
    !allOfPart &&
    isObject(node.properties) &&
    node.allOf === undefined &&
    node.additionalProperties === undefined
  ) {
    node.additionalProperties = false;
  }
  for (const [key, value] of Object.entries(node)) closeObjects(value, key === 'allOf');
}

function allOfRefs(node: Json, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) allOfRefs(item, found);
  else if (isObject(node)) {
    if (Array.isArray(node.allOf)) {
      for (const part of node.allOf)
        if (isObject(part) && typeof part.$ref === 'string') found.add(part.$ref);
    }
    for (const value of Object.values(node)) allOfRefs(value, found);
  }
  return found;
}

function resolveRef(doc: JsonObject, ref: string): JsonObject {
  let node: Json = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    if (!isObject(node)) throw new Error(`Bad $ref ${ref}`);
    node = node[part] ?? null;
  }
  if (!isObject(node)) throw new Error(`Unresolved $ref ${ref}`);
  return node;
}

function deref(doc: JsonObject, node: Json | undefined): JsonObject {
  if (!isObject(node)) return {};
  return typeof node.$ref === 'string' ? resolveRef(doc, node.$ref) : node;
}

function jsonSchemaRef(content: Json | undefined, type: string): string | undefined {
  if (!isObject(content)) return undefined;
  const media = content[type];
  if (!isObject(media) || !isObject(media.schema)) return undefined;
  return typeof media.schema.$ref === 'string' ? media.schema.$ref : undefined;
}

export function loadSpec(version: SpecVersion): LoadedSpec {
  const cached = cache.get(version);
  if (cached) return cached;
  const doc = parseYaml(readFileSync(specDir + specFiles[version], 'utf8')) as JsonObject;
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  const composed = allOfRefs(schemas);
  for (const [name, schema] of Object.entries(schemas)) {
    closeObjects(schema, composed.has(`#/components/schemas/${name}`));
  }
  const operations: OperationInfo[] = [];
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [template, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const [method, raw] of Object.entries(item)) {
      if (!isObject(raw)) continue;
      const parameters = (Array.isArray(raw.parameters) ? raw.parameters : []).map(
        (p) => deref(doc, p) as unknown as ParameterObject,
      );
      const body = deref(doc, raw.requestBody);
      const content = isObject(body.content) ? body.content : undefined;
      const requestContentType = content ? Object.keys(content)[0] : undefined;
      const responses: Record<string, string | undefined> = {};
      for (const [status, response] of Object.entries(isObject(raw.responses) ? raw.responses : {})) {
        responses[status] = jsonSchemaRef(deref(doc, response).content, 'application/json');
      }
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
      operations.push({
        operationId: String(raw.operationId),
        method: method.toUpperCase(),
        template,
        pattern,
        parameters,
        requestContentType,
        requestSchemaRef: requestContentType ? jsonSchemaRef(content, requestContentType) : undefined,
        responses,
      });
    }
  }
  const components = isObject(doc.components) ? doc.components : {};
  // The orders subset names its schemes only in the top-level `security` list.
  const securitySchemes = isObject(components.securitySchemes)
    ? Object.keys(components.securitySchemes)
    : (Array.isArray(doc.security) ? doc.security : []).flatMap((s) => (isObject(s) ? Object.keys(s) : []));
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  addFormats(ajv);
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat('binary', true);
  ajv.addSchema(doc as object, 'spec');
  const loaded = { version, doc, operations, securitySchemes, ajv, validators: new Map() };
  cache.set(version, loaded);
  return loaded;
}

function validatorFor(version: SpecVersion, ref: string): ValidateFunction {
  loadSpec(version);
  const spec = cache.get(version)!;
  let validate = spec.validators.get(ref);
  if (!validate) {
    validate = spec.ajv.compile({ $ref: `spec${ref}` });
    spec.validators.set(ref, validate);
  }
  return validate;
}

function schemaErrors(version: SpecVersion, ref: string, value: unknown, where: string): string[] {
  const validate = validatorFor(version, ref);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (e) => `${where}${e.instancePath || ''}: ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`,
  );
}

function checkScalar(schema: JsonObject, raw: string, where: string): string[] {
  if (schema.type === 'integer') {
    if (!/^-?\d+$/.test(raw)) return [`${where}: "${raw}" is not an integer`];
    const n = BigInt(raw);
    if (typeof schema.minimum === 'number' && n < BigInt(schema.minimum)) return [`${where}: below minimum`];
    if (typeof schema.maximum === 'number' && n > BigInt(schema.maximum)) return [`${where}: above maximum`];
    if (schema.format === 'int64' && (n > 2n ** 63n - 1n || n < -(2n ** 63n))) return [`${where}: not int64`];
    if (schema.format === 'int32' && (n >= 2n ** 31n || n < -(2n ** 31n))) return [`${where}: not int32`];
  }
  return [];
}

export interface RequestToCheck {
  method: string;
  /** Path with query string, e.g. `/v2/businesses/1/chats?limit=20`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or for multipart an object of part name → part content as a string. */
  body?: unknown;
  /** `json`, `multipart` or none; taken from the content type when omitted. */
  contentType?: string;
}

export interface RequestCheck {
  operationId: string | undefined;
  errors: string[];
}

function header(headers: RequestToCheck['headers'], name: string): string | undefined {
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  const value = entry?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/** Checks one HTTP request against the spec: path, method, parameters, auth header and body schema. */
export function validateRequest(version: SpecVersion, request: RequestToCheck): RequestCheck {
  const spec = loadSpec(version);
  const url = new URL(request.url, 'http://contract.invalid');
  const path = url.pathname;
  const candidates = spec.operations.filter((o) => o.pattern.test(path));
  if (candidates.length === 0)
    return { operationId: undefined, errors: [`no ${version} path matches ${path}`] };
  const op = candidates.find((o) => o.method === request.method.toUpperCase());
  if (!op) return { operationId: undefined, errors: [`${request.method} is not allowed on ${path}`] };
  const errors: string[] = [];
  const pathValues = op.pattern.exec(path)!.slice(1);
  const pathNames = [...op.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const known = new Set<string>();
  for (const param of op.parameters) {
    const names = [...new Set([param.name, ...(param['x-aliases'] ?? [])])];
    for (const n of names) known.add(n);
    let raw: string | undefined;
    if (param.in === 'path') raw = decodeURIComponent(pathValues[pathNames.indexOf(param.name)] ?? '');
    else if (param.in === 'query') {
      const present = names.filter((n) => url.searchParams.has(n));
      if (present.length > 1) errors.push(`query: both ${present.join(' and ')} given`);
      raw = present[0] === undefined ? undefined : (url.searchParams.get(present[0]) ?? undefined);
    } else raw = header(request.headers, param.name.toLowerCase());
    if (raw === undefined) {
      if (param.required) errors.push(`${param.in}.${param.name}: required`);
      continue;
    }
    errors.push(...checkScalar(param.schema, raw, `${param.in}.${param.name}`));
  }
  for (const name of url.searchParams.keys()) {
    if (!known.has(name)) errors.push(`query.${name}: not a parameter of ${op.operationId}`);
  }
  const apiKey = header(request.headers, 'api-key');
  const authorization = header(request.headers, 'authorization');
  const bearerOk = authorization !== undefined && /^Bearer \S+$/.test(authorization);
  const apiKeyOk = apiKey !== undefined && apiKey.length > 0 && !/^bearer /i.test(apiKey);
  if (spec.securitySchemes.includes('ApiKey') ? !(apiKeyOk || bearerOk) : !bearerOk) {
    errors.push(
      `auth: ${version} spec accepts ${spec.securitySchemes.includes('ApiKey') ? 'Api-Key or ' : ''}Authorization: Bearer`,
    );
  }
  const contentType = request.contentType ?? header(request.headers, 'content-type');
  if (op.requestContentType) {
    if (!contentType?.startsWith(op.requestContentType)) {
      errors.push(`content-type: expected ${op.requestContentType}, got ${contentType ?? 'none'}`);
    } else if (op.requestSchemaRef) {
      errors.push(...schemaErrors(version, op.requestSchemaRef, request.body, 'body'));
    } else if (op.requestContentType === 'multipart/form-data') {
      const parts = (request.body ?? {}) as Record<string, unknown>;
      if (!parts.file) errors.push('body: multipart part "file" is required');
    }
  } else if (request.body !== undefined && request.body !== '') {
    errors.push(`body: ${op.operationId} takes no body`);
  }
  return { operationId: op.operationId, errors };
}

/** Checks one response body against the schema the spec gives for that operation and status. */
export function validateResponse(
  version: SpecVersion,
  operationId: string,
  status: number,
  body: unknown,
): string[] {
  const op = loadSpec(version).operations.find((o) => o.operationId === operationId);
  if (!op) return [`${operationId} is not in the ${version} spec`];
  const key = String(status);
  if (!(key in op.responses)) return [`${operationId} documents no ${status} response`];
  const ref = op.responses[key];
  return ref ? schemaErrors(version, ref, body, `response ${status}`) : [];
}

/** The operations each spec version defines, e.g. for coverage checks in tests. */
export function operationIds(version: SpecVersion): string[] {
  return loadSpec(version).operations.map((o) => o.operationId);
}

/**
 * Checks receiver answers against spec/notifications.openapi.yaml. packages/contract loads only the two
 * chat API specs, so the notifications spec's response schemas are compiled here with the same tools.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

const specFile = new URL('../../../../spec/notifications.openapi.yaml', import.meta.url);
const doc = parse(readFileSync(specFile, 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addSchema(doc, 'spec');

type Responses = Record<string, { content: Record<string, { schema: { $ref: string } }> }>;
const responses = (doc.paths as Record<string, Record<string, { responses: Responses }>>)['/notification']!
  .post!.responses;

/** Problems with an answer of the receiver; empty when the spec documents that status with that body. */
export function answerProblems(status: number, body: unknown): string[] {
  const response = responses[String(status)];
  if (!response) return [`the notifications spec documents no ${status} answer`];
  const ref = response.content['application/json']!.schema.$ref;
  const validate = ajv.getSchema(`spec${ref}`) ?? ajv.compile({ $ref: `spec${ref}` });
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${status}${e.instancePath}: ${e.message}`);
}

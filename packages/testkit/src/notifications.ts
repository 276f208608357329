/**
 * spec/notifications.openapi.yaml as checks: the receiver's answers (sync's receiver, `watch --listen`, the
 * SDK's `pushAnswer`/`pushError`) and the notifications the emulator pushes. @ym-chats/contract loads the
 * chat API specs only; this compiles the notifications spec with the same tools.
 */
import { readFileSync } from 'node:fs';
import { specDir } from '@ym-chats/contract';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

type Responses = Record<string, { content: Record<string, { schema: { $ref: string } }> }>;
interface NotificationsDoc {
  paths: Record<string, Record<string, { responses: Responses }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

/** The DTO of each chat notification type the emulator pushes. */
const DTOS: Record<string, string> = {
  CHAT_CREATED: 'ChatCreatedNotificationDTO',
  CHAT_MESSAGE_SENT: 'ChatMessageSentNotificationDTO',
  CHAT_ARBITRAGE_STARTED: 'ChatArbitrageStartedNotificationDTO',
  CHAT_ARBITRAGE_FINISHED: 'ChatArbitrageFinishedNotificationDTO',
};

const ERROR_ENVELOPE = '#/components/schemas/SendNotificationErrorResponse';

const doc = parse(readFileSync(`${specDir}notifications.openapi.yaml`, 'utf8')) as NotificationsDoc;
/** The receiver's answers: the 200 body and the error envelope. */
const ANSWERS = ['SendNotificationResponse', 'SendNotificationErrorResponse', 'NotificationApiErrorDTO'];
// Closed, as @ym-chats/contract closes the chat API's objects, so that an extra or misspelled field fails.
for (const name of [...Object.values(DTOS), ...ANSWERS]) {
  doc.components.schemas[name]!.additionalProperties = false;
}
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addSchema(doc, 'spec');
const responses = doc.paths['/notification']!.post!.responses;

function validator(ref: string): ValidateFunction {
  return ajv.getSchema(`spec${ref}`) ?? ajv.compile({ $ref: `spec${ref}` });
}

function problemsOf(validate: ValidateFunction, body: unknown, label: string): string[] {
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${label}${e.instancePath}: ${e.message}`);
}

export interface AnswerCheck {
  /**
   * What a status the spec does not document must carry: by default it is itself a problem; `errorEnvelope`
   * holds it to the spec's error envelope (a receiver's 405 for a wrong method, say).
   */
  undocumented?: 'problem' | 'errorEnvelope';
}

/** Problems with a receiver's answer; empty when the spec documents that status with that body. */
export function answerProblems(status: number, body: unknown, check: AnswerCheck = {}): string[] {
  const ref = responses[String(status)]?.content['application/json']?.schema.$ref;
  if (ref === undefined && check.undocumented !== 'errorEnvelope') {
    return [`the notifications spec documents no ${status} answer`];
  }
  return problemsOf(validator(ref ?? ERROR_ENVELOPE), body, String(status));
}

/** Problems with a pushed chat notification, held to its type's DTO with no field beyond it. */
export function notificationProblems(body: { notificationType: string; [field: string]: unknown }): string[] {
  const dto = DTOS[body.notificationType];
  if (dto === undefined) return [`${body.notificationType} is not a chat notification type of the spec`];
  return problemsOf(validator(`#/components/schemas/${dto}`), body, body.notificationType);
}

/**
 * The SDK and the emulator each keep the platform's numbers and enum lists in code (the emulator may not
 * import the SDK). This pins both to the vendored current spec, so neither can drift from it or from the
 * other: operation methods and paths, hourly quotas (the spec's `x-resource-limit-config`), the chat
 * enums, the 4096-character message limit and the page-size maximums.
 */

import { loadSpec } from '@ym-chats/contract';
import * as emulator from '@ym-chats/emulator';
import * as sdk from '@ym-chats/sdk';
import { describe, expect, it } from 'vitest';

type Node = Record<string, unknown>;
const doc = loadSpec('current').doc as Node;
const schemas = (doc.components as Node).schemas as Record<string, Node>;

function deref(node: unknown): Node {
  const n = node as Node;
  if (typeof n.$ref !== 'string') return n;
  return n.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<Node>((at, part) => at[part] as Node, doc);
}

interface SpecOperation {
  method: string;
  path: string;
  quota: number;
  limitMax?: number;
}

const specOperations = new Map<string, SpecOperation>();
for (const [path, item] of Object.entries(doc.paths as Record<string, Node>)) {
  for (const [method, raw] of Object.entries(item)) {
    const op = raw as Node;
    if (typeof op.operationId !== 'string') continue;
    const limits = op['x-resource-limit-config'] as { none: { amount: number; period: string } };
    expect(limits.none.period).toBe('hours');
    const limit = ((op.parameters ?? []) as unknown[]).map(deref).find((p) => p.name === 'limit');
    const entry: SpecOperation = {
      method: method.toUpperCase(),
      path: path.replace(/^\/v2\/businesses\/\{businessId\}/, ''),
      quota: limits.none.amount,
    };
    if (limit) entry.limitMax = (deref(limit.schema) as { maximum: number }).maximum;
    specOperations.set(op.operationId, entry);
  }
}

describe('SDK and emulator against the current spec', () => {
  it('know the same seven operations as the spec', () => {
    expect(Object.keys(sdk.OPERATIONS).sort()).toEqual([...specOperations.keys()].sort());
    expect(Object.keys(emulator.OPERATIONS).sort()).toEqual([...specOperations.keys()].sort());
  });

  it.each([...specOperations.keys()])('%s: method, path and hourly quota', (id) => {
    const spec = specOperations.get(id)!;
    const s = sdk.OPERATIONS[id as sdk.OperationId];
    const e = emulator.OPERATIONS[id as emulator.OperationId];
    expect({ method: s.method, path: s.path, quota: s.hourlyQuota }).toEqual({
      method: spec.method,
      path: spec.path,
      quota: spec.quota,
    });
    expect({ method: e.method, path: `/${e.path}`, quota: e.hourlyQuota }).toEqual({
      method: spec.method,
      path: spec.path,
      quota: spec.quota,
    });
  });

  it.each([
    ['ChatStatusType', sdk.CHAT_STATUSES, emulator.CHAT_STATUSES],
    ['ChatType', sdk.CHAT_TYPES, emulator.CHAT_TYPES],
    ['ChatContextType', sdk.CHAT_CONTEXT_TYPES, emulator.CONTEXT_TYPES],
    ['ChatMessageSenderType', sdk.MESSAGE_SENDERS, emulator.SENDERS],
  ] as const)('enum %s', (schema, sdkValues, emulatorValues) => {
    const values = [...(schemas[schema]!.enum as string[])].sort();
    expect([...sdkValues].sort()).toEqual(values);
    expect([...emulatorValues].sort()).toEqual(values);
  });

  it('message length limit', () => {
    const message = (schemas.SendMessageToChatRequest!.properties as Record<string, Node>).message!;
    expect(message.maxLength).toBe(4096);
    expect(sdk.MESSAGE_MAX_LENGTH).toBe(message.maxLength);
    expect(emulator.MESSAGE_MAX_LENGTH).toBe(message.maxLength);
  });

  it.each(['getChats', 'getChatHistory'] as const)('%s page-size maximum', (id) => {
    const max = specOperations.get(id)!.limitMax;
    expect(max).toBeGreaterThan(0);
    expect(sdk.PAGE_LIMITS[id].max).toBe(max);
    expect(emulator.OPERATIONS[id].page?.max).toBe(max);
  });
});

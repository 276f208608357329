import { operationIds, validateRequest, validateResponse } from '@ym-chats/contract';
import { describe, expect, it } from 'vitest';

describe('contract checker', () => {
  it('knows the operations of each spec version', () => {
    expect(operationIds('seed').sort()).toEqual(
      ['createChat', 'getChatHistory', 'getChats', 'sendFileToChat', 'sendMessageToChat'].sort(),
    );
    expect(operationIds('current')).toHaveLength(7);
  });

  it('accepts a well-formed request and names what is wrong in a bad one', () => {
    const good = validateRequest('current', {
      method: 'POST',
      url: '/v2/businesses/5/chats?limit=20&pageToken=abc',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: { statuses: ['NEW'] },
    });
    expect(good).toEqual({ operationId: 'getChats', errors: [] });
    const bad = validateRequest('current', {
      method: 'POST',
      url: '/v2/businesses/0/chats?limit=21&foo=1',
      headers: { 'content-type': 'application/json' },
      body: { statusez: ['NEW'] },
    });
    expect(bad.errors.join('\n')).toMatch(/path.businessId: below minimum/);
    expect(bad.errors.join('\n')).toMatch(/query.limit: above maximum/);
    expect(bad.errors.join('\n')).toMatch(/query.foo/);
    expect(bad.errors.join('\n')).toMatch(/auth/);
    expect(bad.errors.join('\n')).toMatch(/additional/);
  });

  it('the seed spec accepts only OAuth and its own paths', () => {
    const r = validateRequest('seed', {
      method: 'POST',
      url: '/businesses/5/chats/message?chatId=3',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: { message: 'hi' },
    });
    expect(r.errors).toEqual([expect.stringMatching(/auth/)]);
    expect(
      validateRequest('seed', { method: 'GET', url: '/businesses/5/chat?chatId=1', headers: {} }).errors,
    ).toEqual(['no seed path matches /businesses/5/chat']);
  });

  it('validates response bodies, closed on declared fields', () => {
    expect(validateResponse('current', 'createChat', 200, { status: 'OK', result: { chatId: 1 } })).toEqual(
      [],
    );
    expect(
      validateResponse('current', 'createChat', 200, { status: 'OK', result: { chatID: 1 } }),
    ).not.toEqual([]);
    expect(
      validateResponse('current', 'getChats', 420, { status: 'ERROR', errors: [{ code: 'LIMIT_EXCEEDED' }] }),
    ).toEqual([]);
  });
});

describe('the orders subset', () => {
  it('knows its two operations and checks their requests and answers', () => {
    expect(operationIds('orders').sort()).toEqual(['getBusinessOrders', 'getReturn']);
    const good = validateRequest('orders', {
      method: 'POST',
      url: '/v1/businesses/5/orders?limit=50',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: { orderIds: [1, 2] },
    });
    expect(good).toEqual({ operationId: 'getBusinessOrders', errors: [] });
    const bad = validateRequest('orders', {
      method: 'GET',
      url: '/v2/campaigns/0/orders/1/returns/2',
      headers: {},
    });
    expect(bad.errors.join('\n')).toMatch(/path.campaignId: below minimum/);
    expect(bad.errors.join('\n')).toMatch(/auth/);
    expect(validateResponse('orders', 'getBusinessOrders', 200, { orders: [] })).toEqual([]);
    expect(validateResponse('orders', 'getBusinessOrders', 200, { status: 'OK', orders: [] })).not.toEqual(
      [],
    );
    expect(
      validateResponse('orders', 'getReturn', 200, {
        status: 'OK',
        result: { id: 1, orderId: 2, items: [], returnType: 'RETURN' },
      }),
    ).toEqual([]);
    expect(
      validateResponse('orders', 'getReturn', 200, {
        status: 'OK',
        result: { id: 1, orderId: 2, items: [], returnType: 'LOST' },
      }),
    ).not.toEqual([]);
  });
});

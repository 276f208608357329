/** Drafts and the hourly send ceiling, on a clock the test moves. */
import { describe, expect, it } from 'vitest';
import { SendBudget } from '../src/budget.js';
import { DraftBook, MAX_DRAFTS } from '../src/drafts.js';

function clock(start = Date.parse('2026-11-25T10:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe('DraftBook', () => {
  it('lets one claim win; a released draft can be claimed again, a settled one never', () => {
    const book = new DraftBook(clock().now);
    const draft = book.create(40000001, 'chat 40000001', 'Здравствуйте!');
    expect(draft.textSha256).toMatch(/^[0-9a-f]{64}$/);
    const first = book.claim(draft.draftId);
    expect('claimed' in first).toBe(true);
    expect(book.claim(draft.draftId)).toMatchObject({ refused: expect.stringMatching(/right now/) });
    book.release(draft);
    expect('claimed' in book.claim(draft.draftId)).toBe(true);
    book.settle(draft, 'maybeSent');
    book.release(draft);
    expect(book.claim(draft.draftId)).toMatchObject({
      refused: expect.stringMatching(/MAY HAVE BEEN DELIVERED/),
    });
    expect(book.claim('draft-unknown')).toMatchObject({ refused: expect.stringMatching(/no draft/) });
  });

  it('warns about an earlier draft with the same text that went to the same chat', () => {
    const book = new DraftBook(clock().now);
    const sent = book.create(1, 'chat 1', 'Same text');
    book.claim(sent.draftId);
    book.settle(sent, 'sent');
    const again = book.create(1, 'chat 1', 'Same text');
    const elsewhere = book.create(2, 'chat 2', 'Same text');
    expect(book.priorSends(again)).toEqual([sent]);
    expect(book.priorSends(elsewhere)).toEqual([]);
  });

  it('forgets the oldest drafts beyond the limit, never the one being sent', () => {
    const book = new DraftBook(clock().now);
    const sending = book.create(1, 'chat 1', 'in flight');
    book.claim(sending.draftId);
    const oldest = book.create(1, 'chat 1', 'old');
    for (let i = 0; i < MAX_DRAFTS; i++) book.create(1, 'chat 1', `draft ${i}`);
    expect(book.get(oldest.draftId)).toBeUndefined();
    expect(book.get(sending.draftId)).toBe(sending);
  });
});

describe('SendBudget', () => {
  it('allows N sends in any rolling hour', () => {
    const time = clock();
    const budget = new SendBudget(2, time.now);
    expect(budget.take()).toEqual({ ok: true });
    time.advance(30 * 60_000);
    expect(budget.take()).toEqual({ ok: true });
    const refused = budget.take();
    expect(refused).toEqual({ ok: false, nextAt: new Date('2026-11-25T11:00:00Z') });
    time.advance(30 * 60_000);
    expect(budget.take()).toEqual({ ok: true });
    expect(budget.take().ok).toBe(false);
  });
});

/**
 * Verified resend with the SDK's default settings over the timings and inputs that once broke it: queued
 * sends, slow credentials, names the server rewrites, a skewed server clock, identical texts, and delays at
 * and past the platform's 10 s. Each scenario has its own emulator; all run at once (about 30 s).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ResultSink } from '../src/results.js';
import { runVerifiedScenarios, SCENARIOS } from '../src/verified-driver.js';

const sink = new ResultSink('faults-verified');
afterAll(() => sink.save());

describe('verified resend with default settings', () => {
  it('delivers every resolved send exactly once and reports no lost message as sent', {
    timeout: 120_000,
  }, async () => {
    const report = await runVerifiedScenarios();
    sink.add(report.figures);
    sink.note(`${SCENARIOS.length} scenarios, outcomes ${JSON.stringify(report.outcomes)}`);
    expect(report.violations).toEqual([]);
    expect(report.figures.duplicated).toBe(0);
    expect(report.figures.lost).toBe(0);
    expect(report.figures.phantoms).toBe(0);
    // Everything was decided: every scenario's sends resolved, none was left to the caller as maybeSent.
    expect(report.outcomes.ok).toBe(report.figures.sent);
    expect(report.figures.faultsInjected).toBeGreaterThanOrEqual(15);
  });
});

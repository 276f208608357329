/**
 * `npm run soak [-- --minutes N]`: the fault and load drivers of the test suite, run for longer (default
 * about 2 minutes), against emulators on 127.0.0.1. Prints the same summary table and exits 1 if any
 * must-be-zero figure is not zero.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator-env.js';
import { runFaults } from './fault-driver.js';
import { runLoad } from './load-driver.js';
import { ResultSink } from './results.js';
import { renderTable } from './table.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '2' } }, strict: true });
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) {
  process.stderr.write(`soak: --minutes must be a positive number of minutes, got "${values.minutes}"\n`);
  process.exit(2);
}
const totalMs = minutes * 60_000;
const started = Date.now();
// About 60% of the time goes to fault rounds, the rest to one load run.
const faultDeadline = started + totalMs * 0.6;

const faults = new ResultSink('soak-faults');
const violations: string[] = [];
let round = 0;
while (Date.now() < faultDeadline || round === 0) {
  const env = await startEmulator({ seed: 11 + round, quotas: { scale: 100 } });
  try {
    for (const verifiedResend of [false, true]) {
      const report = await runFaults(env, {
        label: `soak${round}-${verifiedResend ? 'verified' : 'plain'}`,
        verifiedResend,
        rateLimitMode: verifiedResend ? 'reset-far' : 'reset-in-past',
        workers: 6,
        sendsPerWorker: 60,
        seed: 1000 + round * 2 + (verifiedResend ? 1 : 0),
      });
      faults.add(report.figures);
      violations.push(...report.violations);
      process.stdout.write(
        `round ${round} ${verifiedResend ? 'verified' : 'plain   '}: ${JSON.stringify(report.outcomes)} faults ${report.figures.faultsInjected} retries ${report.figures.retries}\n`,
      );
    }
  } finally {
    await env.close();
  }
  round++;
}
faults.note(`${round} rounds of a plain and a verified-resend run`);

const load = new ResultSink('soak-load');
const loadMs = Math.max(10_000, started + totalMs - Date.now());
process.stdout.write(`load for ${Math.round(loadMs / 1000)} s …\n`);
const report = await runLoad({
  durationMs: loadMs,
  businesses: 5,
  clientsPerBusiness: 4,
  highConcurrency: 50,
  quotaScale: 0.05,
});
load.add(report.figures);
const MB = 2 ** 20;
load.note(`statuses ${JSON.stringify(report.statuses)}; incorrect ${report.incorrect}`);
load.note(
  `remote 420s: ${report.remote420.parallel} over the parallel cap, ${report.remote420.hourly} over an hourly quota`,
);
load.note(
  `emulator RSS after warm-up ${(report.rss.afterWarmUp / MB).toFixed(1)} MB, end ${(report.rss.end / MB).toFixed(1)} MB, peak ${(report.rss.peak / MB).toFixed(1)} MB`,
);
if (report.incorrect > 0) violations.push(`${report.incorrect} incorrect answers under load`);
if (report.remote420.parallel > 0) violations.push(`${report.remote420.parallel} 420s over the parallel cap`);
if (report.rss.end > Math.max(report.rss.afterWarmUp * 1.5, report.rss.afterWarmUp + 64 * MB))
  violations.push('emulator memory grew during the load run');

const results = [faults, load].map((s) => ({ source: s.source, figures: s.figures, notes: s.notes }));
process.stdout.write(`\nSoak summary (${minutes} min)\n\n${renderTable(results)}\n\n`);
if (violations.length > 0) {
  process.stdout.write(`VIOLATIONS:\n${violations.map((v) => `- ${v}`).join('\n')}\n`);
  process.exit(1);
}

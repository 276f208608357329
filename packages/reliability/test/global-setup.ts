/**
 * Vitest global setup: starts every run with an empty `.results/` and, at the end, prints the one summary
 * table from whatever the reliability test files wrote there (nothing when none of them ran).
 */
import { clearResults, readResults } from '../src/results.js';
import { renderTable } from '../src/table.js';

export default function setup(): () => void {
  clearResults();
  return () => {
    const results = readResults();
    if (results.length === 0) return;
    process.stdout.write(`\nReliability summary (packages/reliability)\n\n${renderTable(results)}\n\n`);
  };
}

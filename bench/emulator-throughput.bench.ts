/**
 * The emulator's getChats throughput (20 chats a page) beside a bare node:http server answering a fixed body
 * of the same byte size. Both run in child processes and are loaded by autocannon with the same settings in
 * the same run; quotas and the concurrency cap are off for the emulator. Goal: at least 40% of the bare rps.
 *
 * Run: `node --import tsx bench/emulator-throughput.bench.ts` (the `--child-emulator` flag is internal).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
// The built package, as users run it (`npm run bench` builds first).
import { createEmulator } from '../packages/emulator/dist/index.js';

const API_KEY = 'emulator-api-key';
const BUSINESS_ID = 1001;
const CONNECTIONS = 10;
const WARMUP_S = 1;
const ROUND_S = 4;
const ROUNDS = 3;
const GOAL = 0.4;

if (process.argv.includes('--child-emulator')) {
  const emulator = createEmulator({
    seed: 1,
    quotas: { enabled: false, concurrency: false },
    pageCache: !process.argv.includes('--no-page-cache'),
  });
  const url = await emulator.listen(0, '127.0.0.1');
  process.stdout.write(`${url}\n`);
  process.on('SIGTERM', () => {
    void emulator.close().then(() => process.exit(0));
  });
} else {
  await main();
}

interface AutocannonResult {
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (
  options: {
    url: string;
    method: string;
    headers: Record<string, string>;
    body: string;
    connections: number;
    duration: number;
  },
  done: (err: Error | null, result: AutocannonResult) => void,
) => unknown;

function startChild(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve({ child, line: d.toString().trim() }));
  });
}

async function load(autocannon: Autocannon, url: string, duration: number): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
        body: '{}',
        connections: CONNECTIONS,
        duration,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

async function main(): Promise<void> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const self = fileURLToPath(import.meta.url);
  const emulator = await startChild([self, '--child-emulator']);
  const uncached = await startChild([self, '--child-emulator', '--no-page-cache']);
  const children: ChildProcess[] = [emulator.child, uncached.child];
  try {
    const target = `${emulator.line}/v2/businesses/${BUSINESS_ID}/chats?limit=20`;
    const sample = await fetch(target, {
      method: 'POST',
      headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = Buffer.from(await sample.arrayBuffer());
    if (sample.status !== 200) throw new Error(`emulator answered ${sample.status}: ${body.toString()}`);
    const bodyFile = `${mkdtempSync(`${tmpdir()}/ym-emu-bench-`)}/body.json`;
    writeFileSync(bodyFile, body);
    const bare = await startChild([fileURLToPath(new URL('./fixed-server.ts', import.meta.url)), bodyFile]);
    children.push(bare.child);
    const bareUrl = `http://127.0.0.1:${bare.line}/v2/businesses/${BUSINESS_ID}/chats?limit=20`;

    // The goal is measured on the emulator as it ships; the uncached row shows the cost of a page built
    // from SQLite on every request (what a client sees right after each write).
    const targets = {
      'bare node:http': bareUrl,
      'emulator getChats': target,
      'emulator getChats, page cache off': `${uncached.line}/v2/businesses/${BUSINESS_ID}/chats?limit=20`,
    };
    const totals: Record<string, { requests: number; non2xx: number; errors: number; rounds: number[] }> = {};
    for (const [name, url] of Object.entries(targets)) {
      await load(autocannon, url, WARMUP_S);
      totals[name] = { requests: 0, non2xx: 0, errors: 0, rounds: [] };
    }
    // Alternating rounds spread background noise on a shared machine over both targets alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of Object.entries(targets)) {
        const r = await load(autocannon, url, ROUND_S);
        const t = totals[name]!;
        t.requests += r.requests.total;
        t.non2xx += r.non2xx;
        t.errors += r.errors;
        t.rounds.push(Math.round(r.requests.average));
      }
    }
    const rps = (name: string) => totals[name]!.requests / (ROUNDS * ROUND_S);
    const bareRps = rps('bare node:http');
    const emuRps = rps('emulator getChats');
    const ratio = emuRps / bareRps;
    console.log(
      `getChats page: ${body.length} bytes, 20 chats; ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${ROUND_S} s`,
    );
    console.table(
      Object.fromEntries(
        Object.entries(totals).map(([name, t]) => [
          name,
          {
            'req/s': Math.round(rps(name)),
            rounds: t.rounds.join(' / '),
            non2xx: t.non2xx,
            errors: t.errors,
          },
        ]),
      ),
    );
    console.log(
      `emulator / bare = ${(ratio * 100).toFixed(1)}% (goal ≥ ${GOAL * 100}%) ${ratio >= GOAL ? 'OK' : 'BELOW GOAL'}`,
    );
    const uncachedRatio = rps('emulator getChats, page cache off') / bareRps;
    console.log(`with the page cache off: ${(uncachedRatio * 100).toFixed(1)}% of bare (informational)`);
    if (totals['emulator getChats']!.non2xx + totals['emulator getChats, page cache off']!.non2xx > 0)
      throw new Error('the emulator answered non-2xx under load');
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}

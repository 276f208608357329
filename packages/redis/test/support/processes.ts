/** Spawning quota processes (`quota-process.ts`) and a private redis-server for the fault tests. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ProcessConfig, ProcessResult } from './quota-process.js';

const SCRIPT = fileURLToPath(new URL('./quota-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface QuotaProcess {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  result: Promise<ProcessResult | undefined>;
  /** Starts the run; `offsetMs`: the emulator's clock minus this machine's. */
  go(offsetMs: number): void;
}

export function spawnQuotaProcess(config: ProcessConfig): QuotaProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, QUOTA_PROCESS: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (process.env.QUOTA_DEBUG) process.stderr.write(d);
  });
  const lines = createInterface({ input: child.stdout });
  let readyResolve: () => void = () => {};
  let readyReject: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  const result = new Promise<ProcessResult | undefined>((resolve) => {
    let last: ProcessResult | undefined;
    lines.on('line', (line) => {
      if (line === 'ready') readyResolve();
      else if (line.startsWith('{')) last = JSON.parse(line) as ProcessResult;
    });
    child.once('exit', (code, signal) => {
      if (signal === null && code !== 0) readyReject(new Error(`quota process exited ${code}: ${stderr}`));
      else readyReject(new Error(`quota process ended (${signal ?? code}) before it was ready`));
      resolve(last);
    });
  });
  return { child, ready, result, go: (offsetMs) => child.stdin.write(`${JSON.stringify({ offsetMs })}\n`) };
}

/** Starts all and waits until every one is connected (then `go` each). */
export async function spawnAll(configs: ProcessConfig[]) {
  const processes = configs.map(spawnQuotaProcess);
  await Promise.all(processes.map((p) => p.ready));
  return processes;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A redis-server of this test only (no persistence: a restart loses everything), on a free port. */
export async function startOwnRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ym-redis-'));
  let child: ReturnType<typeof spawn> | undefined;
  const start = async () => {
    child = spawn(
      '/usr/bin/redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const out = child.stdout!;
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        if (d.toString().includes('Ready to accept connections')) {
          out.off('data', onData);
          out.resume();
          resolve();
        }
      };
      out.on('data', onData);
      child!.once('exit', (code) => reject(new Error(`redis-server exited ${code}`)));
    });
  };
  const stop = async () => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    /** Kills the server and starts a new one, empty, on the same port. */
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

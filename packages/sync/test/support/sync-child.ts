/**
 * A sync process run from the built package as users run it (support/crash-child.mjs), to be killed with
 * SIGKILL at chosen instants; and the seeded randomness that picks those instants.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./crash-child.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/** The child runs the built package: a missing build is said plainly rather than as a child's crash. */
export function requireBuild(): void {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: npm run build -w packages/sync`);
}

/** Deterministic randomness, so a failing run can be replayed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export class Child {
  readonly process: ChildProcess;
  out = '';
  readonly exited: Promise<void>;
  constructor(args: string[]) {
    this.process = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString();
    });
    this.process.stderr!.on('data', (d: Buffer) => {
      this.out += d.toString();
    });
    this.exited = new Promise((resolve) => this.process.on('close', () => resolve()));
  }
  async ready(): Promise<string> {
    for (let i = 0; i < 1500; i++) {
      const m = /ready ?(\S*)/.exec(this.out);
      if (m) return m[1] ?? '';
      if (this.process.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`child did not start: ${this.out}`);
  }
  kill(): Promise<void> {
    this.process.kill('SIGKILL');
    return this.exited;
  }
}

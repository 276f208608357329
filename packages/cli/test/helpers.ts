/** Runs the built `ym-chats` binary as a child process against an in-process emulator. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminClient, createEmulator, type EmulatorOptions } from '@ym-chats/emulator';
import { afterAll } from 'vitest';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const BUSINESS = 1001;
/** Credentials only these tests know; no output may ever contain them. */
export const API_KEY = 'cli-test-api-key-5c1f0e77';
export const OAUTH_TOKEN = 'cli-test-oauth-token-a83d19';
export const WRONG_KEY = 'cli-wrong-key-0d9e77b2';
export const SECRETS = [API_KEY, OAUTH_TOKEN, WRONG_KEY];

export function requireBuilt(): void {
  if (!existsSync(BIN)) {
    throw new Error(
      `${BIN} is missing: build first (npm run build -w packages/sdk -w packages/emulator -w packages/cli)`,
    );
  }
}

/** Everything any child printed, for the "no secret ever printed" checks. */
export const transcript: string[] = [];

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every HOME made for a child, removed after the test file that imported this (a run left hundreds). */
const homes: string[] = [];
afterAll(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** A clean environment: no YM_* variables, a HOME with no config, no colours. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'ym-chats-home-'));
  homes.push(home);
  return { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1', ...extra };
}

export function run(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: options.env ?? cleanEnv(),
      cwd: options.cwd ?? tmpdir(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      transcript.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** A long-running child (watch, emulator, demo) with helpers to wait for its output. */
export class LongRun {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly child: ChildProcess;

  constructor(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      env: options.env ?? cleanEnv(),
      cwd: options.cwd ?? tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => {
      this.stdout += d.toString();
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        transcript.push(this.stdout, this.stderr);
        resolve({ code, signal });
      });
    });
  }

  /** Resolves with the first match of `pattern` in the chosen stream; fails if the child exits first. */
  async waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    for (;;) {
      const match = pattern.exec(this[stream]);
      if (match) return match;
      if (exited)
        throw new Error(`exited before ${pattern} appeared.\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}.\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  kill(signal: NodeJS.Signals = 'SIGINT'): void {
    this.child.kill(signal);
  }
}

export interface TestEmulator {
  url: string;
  admin: AdminClient;
  close(): Promise<void>;
  /** Flags that point the CLI at this emulator (the credential comes from the environment). */
  flags: string[];
  /** A clean environment carrying YM_API_KEY. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = createEmulator({
    seed: 1,
    credentials: [{ apiKey: API_KEY, oauthToken: OAUTH_TOKEN, businessIds: [BUSINESS] }],
    ...options,
  });
  const url = await emulator.listen(0);
  return {
    url,
    admin: new AdminClient(url),
    close: () => emulator.close(),
    flags: ['--base-url', url, '--business-id', String(BUSINESS)],
    env: (extra = {}) => cleanEnv({ YM_API_KEY: API_KEY, ...extra }),
  };
}

export function expectNoSecrets(outputs: string[]): string[] {
  return outputs.filter((text) => SECRETS.some((secret) => text.includes(secret)));
}

/** A message as `history --json` prints it. */
export interface MessageJson {
  messageId: number;
  sender: string;
  message?: string;
  payload?: { name: string; url: string; size: number }[];
}

/** The newest chat of the emulator, read through the CLI itself. */
export async function firstChatId(emu: TestEmulator): Promise<number> {
  const chats = JSON.parse((await run(['chats', '--json', ...emu.flags], { env: emu.env() })).stdout) as {
    chatId: number;
  }[];
  return chats[0]!.chatId;
}

/** The web inbox as a page talks to it, for the loopback user (no login): its cookies and CSRF token. */
export class InboxPage {
  private cookie = '';
  private csrf = '';
  /** Settable: a proxy may send the page's next requests to another `serve` process. */
  constructor(public base: string) {}

  async start(): Promise<void> {
    const r = await fetch(`${this.base}/api/session`);
    this.cookie = r.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    this.csrf = ((await r.json()) as { csrf: string }).csrf;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { cookie: this.cookie, 'x-csrf-token': this.csrf };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as T };
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { call, orderCall } from './helpers.js';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

function launch(args: string[]): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], { cwd: root, stdio: 'pipe' });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('ym-chats-emulator bin', () => {
  it('prints the banner, serves the API and stops cleanly on SIGTERM', async () => {
    const run = launch(['--port', '0', '--seed', '1', '--api-key', 'k1', '--business-id', '777']);
    try {
      let url: string | undefined;
      for (let i = 0; i < 300 && !url; i++) {
        url = /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 20));
      }
      expect(url, run.output()).toBeDefined();
      expect(run.output()).toContain('Api-Key: k1');
      expect(run.output()).toContain('business 777');
      const res = await call(url!, 'getChats', { business: 777, auth: { 'Api-Key': 'k1' } });
      expect(res.status).toBe(200);
      expect(res.body.result.chats.length).toBeGreaterThan(0);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
  });

  it('--scopes issues a chat-only key: chats work, the order reads are 403', async () => {
    const run = launch(['--port', '0', '--seed', '1', '--scopes', 'communication']);
    try {
      let url: string | undefined;
      for (let i = 0; i < 300 && !url; i++) {
        url = /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 20));
      }
      expect(url, run.output()).toBeDefined();
      expect((await call(url!, 'getChats')).status).toBe(200);
      const orders = await orderCall(url!, 'getBusinessOrders', [1001], { json: {} });
      expect(orders.status).toBe(403);
      expect(JSON.stringify(orders.body)).toMatch(/inventory-and-order-processing/);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    const bad = launch(['--scopes', 'Communication!']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/--scopes must be scope names/);
  });

  it('exits 2 with a clear message on a bad flag', async () => {
    const run = launch(['--port', 'eighty']);
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/--port must be an integer/);
    const unknown = launch(['--frobnicate']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.output()).toMatch(/frobnicate/);
  });

  it('refuses a non-loopback --host without an admin token (exit 2), before listening', async () => {
    const run = launch(['--port', '0', '--host', '0.0.0.0']);
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/YM_EMULATOR_ADMIN_TOKEN/);
    expect(run.output()).not.toMatch(/API:/);
  });
});

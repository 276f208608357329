/** Starts bench/fixed-server.ts (one fixed body for every request) in a child process, the baseline target. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../fixed-server.ts', import.meta.url));

export async function startFixedServer(body: string): Promise<{ base: string; stop(): void }> {
  const bodyFile = `${mkdtempSync(`${tmpdir()}/ym-bench-`)}/body.json`;
  writeFileSync(bodyFile, body);
  const server = spawn(process.execPath, ['--import', 'tsx', script, bodyFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.stdout.once('data', (d: Buffer) => resolve(Number(d.toString())));
  });
  return { base: `http://127.0.0.1:${port}`, stop: () => server.kill('SIGTERM') };
}
